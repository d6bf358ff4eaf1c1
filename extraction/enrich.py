"""The enrichment stages of ingestion, packaged as ``Enricher`` callables for ``ingest``.

Text extraction reads the raw texts of the data folder (titles, descriptions, reviews, tickets);
entity resolution reads the profiles and relationships the mapping produced. Both return graph
records and a small summary that lands in the run report.

Each product title is encoded once (MiniLM), by whichever stage meets it first: text extraction
stores ``Product.embedding`` for the titles it reads, and entity resolution matches listings on
those vectors, encoding only titles the text stage did not see (a user's own mapping without
text extraction: all of them). At scale that moves the encoding, the largest part of entity
resolution, into the text stage, which ``ingest`` runs beside the cleaning.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from extraction.ingest import Enricher
from extraction.nlp.embed import shared_embedder
from extraction.nlp.facts import facts_to_records, platform_key
from extraction.nlp.run import extract_all_timed, product_texts
from extraction.nlp.textvec import SentenceCache
from extraction.resolve import matches_to_records, resolve_products, resolve_users
from extraction.resolve.listings import prepare
from extraction.transform import Extracted
from graph.records import NodeRecord, RelRecord

EMBEDDING_MODEL = "all-MiniLM-L6-v2"


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
        t0 = time.perf_counter()
        texts = product_texts(self.data_dir / "raw")[1]
        titles = {platform_key(key): title for key, title, _ in texts}
        embedded = _embedding_nodes(titles, SentenceCache(shared_embedder()))
        timings["products_embed"] = round(time.perf_counter() - t0, 3)
        summary = {
            "facts": dict(sorted(Counter(f.kind for f in facts).items())),
            "documents": timings.get("documents"),
            "product_embeddings": len(embedded),
            "timings": timings,
        }
        return nodes + embedded, rels, summary


def text_extraction(data_dir: Path, seed: int) -> Enricher:
    """The text-extraction stage for the data in ``data_dir`` (``TextExtraction``)."""
    return TextExtraction(data_dir, seed)


def entity_resolution(user_threshold: float = 0.6, product_threshold: float = 0.4) -> Enricher:
    """Scored ``SAME_AS`` links between accounts and between listings (links, not merges)."""

    def enrich(extracted: Extracted) -> tuple[list[NodeRecord], list[RelRecord], dict[str, Any]]:
        users = resolve_users(extracted.profiles, extracted.rels, threshold=user_threshold)
        products: dict[str, dict[str, Any]] = {}
        stored: dict[str, list[float]] = {}  # Product.embedding from the text stage
        for node in extracted.nodes:
            if node.label == "Product":
                if "embedding" in node.props:
                    stored[node.key] = node.props["embedding"]
                else:
                    products.setdefault(node.key, {}).update(node.props)
        # One cache for matching and storage: each title is encoded once, here or before.
        encoder = SentenceCache(shared_embedder())
        reused = _seed(encoder, products, stored)
        listings = resolve_products(
            products,
            threshold=product_threshold,
            embedder=encoder,
            extracted=stated_attributes(extracted.rels),
        )
        unseen = {key: props for key, props in products.items() if key not in stored}
        embedded = embedding_records(unseen, encoder)
        summary = {
            "user_links": len(users),
            "product_links": len(listings),
            "product_embeddings": len(embedded),
            "title_vectors_reused": reused,
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
    return _embedding_nodes({item.key: item.title for item in prepare(products)}, encoder)


def _embedding_nodes(titles: dict[str, str], encoder: SentenceCache) -> list[NodeRecord]:
    vectors = encoder.encode(list(titles.values()))
    return [
        NodeRecord(
            "Product",
            key,
            {"embedding": [round(float(x), 6) for x in vec], "embedding_model": EMBEDDING_MODEL},
        )
        for key, vec in zip(titles, vectors, strict=True)
    ]


def _seed(
    encoder: SentenceCache, products: dict[str, dict[str, Any]], stored: dict[str, list[float]]
) -> int:
    """Put each stored title vector in the cache under its product's title (as the mapping
    cleaned it): matching then encodes only the titles no earlier stage did. Returns how many
    products' vectors were reused."""
    reused = 0
    for key, vector in stored.items():
        if key in products:  # the title as ``prepare`` reads it; equal titles share one vector
            title = str(products[key].get("title") or "")
            encoder.vectors.setdefault(SentenceCache.key(title), np.asarray(vector, np.float32))
            reused += 1
    return reused
