"""The enrichment stages of ingestion, packaged as ``Enricher`` callables for ``ingest``.

Text extraction reads the raw texts of the data folder (titles, descriptions, reviews, tickets);
entity resolution reads the profiles and relationships the mapping produced. Both return graph
records and a small summary that lands in the run report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from extraction.ingest import Enricher
from extraction.nlp.embed import shared_embedder
from extraction.nlp.facts import facts_to_records
from extraction.nlp.run import extract_all_timed
from extraction.resolve import matches_to_records, resolve_products, resolve_users
from extraction.resolve.listings import prepare
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
        encoder = CachingEncoder()
        listings = resolve_products(products, threshold=product_threshold, embedder=encoder)
        embedded = embedding_records(products, encoder)
        summary = {
            "user_links": len(users),
            "product_links": len(listings),
            "product_embeddings": len(embedded),
            "thresholds": {"user": user_threshold, "product": product_threshold},
            "methods": dict(sorted(Counter(m.method for m in users + listings).items())),
        }
        return embedded, matches_to_records(users + listings), summary

    return enrich


class CachingEncoder:
    """Encodes each distinct text once, so the title vectors product matching computes can be
    stored on the graph for the GNN (cold-start products) without a second pass."""

    def __init__(self) -> None:
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, shared_embedder().encode(missing), strict=True))
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 384))


def embedding_records(
    products: dict[str, dict[str, Any]], encoder: CachingEncoder
) -> list[NodeRecord]:
    """``Product.embedding``: the MiniLM vector of the listing title (L2-normalised, 384 floats)."""
    listings = prepare(products)
    vectors = encoder.encode([item.title for item in listings])
    return [
        NodeRecord(
            "Product",
            item.key,
            {"embedding": [round(float(x), 6) for x in vec], "embedding_model": "all-MiniLM-L6-v2"},
        )
        for item, vec in zip(listings, vectors, strict=True)
    ]
