"""The enrichment stages of ingestion, packaged as ``Enricher`` callables for ``ingest``.

Text extraction reads the raw texts of the data folder (titles, descriptions, reviews, tickets);
entity resolution reads the profiles and relationships the mapping produced. Both return graph
records and a small summary that lands in the run report.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from extraction.ingest import Enricher
from extraction.nlp.facts import facts_to_records
from extraction.nlp.run import extract_all_timed
from extraction.resolve import matches_to_records, resolve_products, resolve_users
from extraction.transform import Extracted
from graph.records import NodeRecord, RelRecord


def text_extraction(data_dir: Path, seed: int) -> Enricher:
    """Facts from free text, with provenance (field, span) and confidence on every relationship."""

    def enrich(_: Extracted) -> tuple[list[NodeRecord], list[RelRecord], dict[str, Any]]:
        facts, timings = extract_all_timed(data_dir, seed=seed)
        nodes, rels = facts_to_records(facts)
        summary = {
            "facts": dict(sorted(Counter(f.kind for f in facts).items())),
            "documents": timings.get("documents"),
            "timings": timings,
        }
        return nodes, rels, summary

    return enrich


def entity_resolution(user_threshold: float = 0.6, product_threshold: float = 0.4) -> Enricher:
    """Scored ``SAME_AS`` links between accounts and between listings (links, not merges)."""

    def enrich(extracted: Extracted) -> tuple[list[NodeRecord], list[RelRecord], dict[str, Any]]:
        users = resolve_users(extracted.profiles, extracted.rels, threshold=user_threshold)
        products: dict[str, dict[str, Any]] = {}
        for node in extracted.nodes:
            if node.label == "Product":
                products.setdefault(node.key, {}).update(node.props)
        listings = resolve_products(products, threshold=product_threshold)
        summary = {
            "user_links": len(users),
            "product_links": len(listings),
            "thresholds": {"user": user_threshold, "product": product_threshold},
            "methods": dict(sorted(Counter(m.method for m in users + listings).items())),
        }
        return [], matches_to_records(users + listings), summary

    return enrich
