"""Compare the graph with the generator's ground truth: what ingestion actually put in Neo4j is
read back and scored, so the numbers cover the whole path (extraction, mapping, loading).

Text tasks are scored per phrasing pool (``dev`` = phrasings the extractor's authors could see,
``heldout`` = never seen; ``all``); entity resolution pairwise, over the SAME_AS links directly
and after transitive closure.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import cypher
from extraction.nlp import scoring as nlp_scoring
from extraction.resolve.scoring import (
    account_clusters,
    closure_pairs,
    pairwise_prf,
    product_clusters,
)
from graph.connection import Driver


def _raw_id(key: str) -> str:
    """``webshop:WS-P000001`` → ``WS-P000001``: truth files use the platforms' own ids."""
    return key.split(":", 1)[1] if ":" in key else key


def _rows(driver: Driver, name: str, database: str) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(cypher.load(name), database_=database)
    return [r.data() for r in records]


def _entity_resolution(driver: Driver, database: str, data_dir: Path) -> dict[str, Any]:
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in _rows(driver, "eval/same_as", database):
        pairs[row["label"]].add((row["a"], row["b"]))
    out: dict[str, Any] = {}
    for task, label, truth in (
        ("customer_er", "User", account_clusters(data_dir)),
        ("product_matching", "Product", product_clusters(data_dir)),
    ):
        direct = pairs.get(label, set())
        out[task] = {
            **pairwise_prf(direct, truth),
            "links": len(direct),
            "closure": pairwise_prf(closure_pairs(direct), truth),
        }
    return out


def _text(driver: Driver, database: str, data_dir: Path) -> dict[str, Any]:
    attrs = {
        (_raw_id(r["record"]), r["name"], r["value"])
        for r in _rows(driver, "eval/product_facts", database)
    }
    refs = {
        (_raw_id(r["record"]), _raw_id(r["value"]))
        for r in _rows(driver, "eval/ticket_refs", database)
    }
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for r in _rows(driver, "eval/labels", database):
        labels[r["kind"]][_raw_id(r["record"])] = r["value"]
    return {
        "attributes": nlp_scoring.score_attributes(attrs, data_dir),
        "order_refs": nlp_scoring.score_order_refs(refs, data_dir),
        "ticket_intent": nlp_scoring.score_intent(labels["intent"], data_dir),
        "review_sentiment": nlp_scoring.score_sentiment(labels["sentiment"], data_dir),
    }


def evaluate_extraction(driver: Driver, data_dir: Path, database: str = "neo4j") -> dict[str, Any]:
    """Scores for every extraction task; ``data_dir`` holds the generator's ``truth/``."""
    return {
        **_entity_resolution(driver, database, data_dir),
        **_text(driver, database, data_dir / "truth"),
    }
