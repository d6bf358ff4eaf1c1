"""The enrichment stages of ingestion, packaged as ``Enricher`` callables for ``ingest``.

Text extraction reads the raw texts of the data folder (titles, descriptions, reviews, tickets);
entity resolution reads the profiles and relationships the mapping produced. Both return graph
records and a small summary that lands in the run report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from extraction.ingest import Enricher
from extraction.nlp.embed import shared_embedder
from extraction.nlp.facts import facts_to_records
from extraction.nlp.run import extract_all_timed
from extraction.nlp.textvec import SentenceCache
from extraction.resolve import matches_to_records, resolve_products, resolve_users
from extraction.resolve.listings import prepare
from extraction.transform import Extracted
from graph.records import NodeRecord, RelRecord


@dataclass(frozen=True)
class TextExtraction:
    """Facts from free text, with provenance (field, span) and confidence on every relationship.

    It reads the raw texts itself and never the cleaned records (``needs_records`` False), so
    ``ingest`` may run it in a process of its own while the mapping cleans the rows (it is
    picklable: a dataclass of a folder and a seed)."""

    data_dir: Path
    seed: int
    needs_records: ClassVar[bool] = False

    def __call__(
        self, _: Extracted | None = None
    ) -> tuple[list[NodeRecord], list[RelRecord], dict[str, Any]]:
        facts, timings = extract_all_timed(self.data_dir, seed=self.seed)
        nodes, rels = facts_to_records(facts)
        summary = {
            "facts": dict(sorted(Counter(f.kind for f in facts).items())),
            "documents": timings.get("documents"),
            "timings": timings,
        }
        return nodes, rels, summary


def text_extraction(data_dir: Path, seed: int) -> Enricher:
    """The text-extraction stage for the data in ``data_dir`` (``TextExtraction``)."""
    return TextExtraction(data_dir, seed)


def entity_resolution(user_threshold: float = 0.6, product_threshold: float = 0.4) -> Enricher:
    """Scored ``SAME_AS`` links between accounts and between listings (links, not merges)."""

    def enrich(extracted: Extracted) -> tuple[list[NodeRecord], list[RelRecord], dict[str, Any]]:
        users = resolve_users(extracted.profiles, extracted.rels, threshold=user_threshold)
        products: dict[str, dict[str, Any]] = {}
        for node in extracted.nodes:
            if node.label == "Product":
                products.setdefault(node.key, {}).update(node.props)
        # One cache for matching and storage: each title is encoded once.
        encoder = SentenceCache(shared_embedder())
        listings = resolve_products(
            products,
            threshold=product_threshold,
            embedder=encoder,
            extracted=stated_attributes(extracted.rels),
        )
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


def stated_attributes(rels: Iterable[RelRecord]) -> dict[str, dict[str, str]]:
    """Product key -> attribute name -> value, from the text extraction's ``HAS_ATTRIBUTE``
    links (``Attribute`` keys are ``name=value``) and ``IN_CATEGORY`` (as ``category``).

    Only what the record's own text stated (method ``rule``) or its category: attributes
    propagated from a model's other listings would make every variant agree with itself.
    """
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for r in rels:
        if r.start_label != "Product":
            continue
        if r.type == "HAS_ATTRIBUTE" and r.props.get("method") == "rule":
            name, _, value = r.end_key.partition("=")
            out[r.start_key][name] = value
        elif r.type == "IN_CATEGORY":
            out[r.start_key]["category"] = r.end_key
    return dict(out)


def embedding_records(
    products: dict[str, dict[str, Any]], encoder: SentenceCache
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
