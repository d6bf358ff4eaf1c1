"""Model scores written back into the graph, where analysts and the API read them.

Two shapes: scored links (``(:User)-[:RECOMMENDED {score, rank, model}]->(:Product)``,
``(:User)-[:LIKELY_SAME_ACTOR {score, rank, model}]->(:User)``) and node scores
(``risk_score``/``risk_model`` on ``Order`` or ``User``). A write replaces every earlier result
of the same shape (whatever model made it) so the graph never mixes two models' rankings; the
old results are removed in bounded batches first, then the new ones are written in batches.
The replace is not one transaction (a big graph would not fit in one): a reader may briefly see
no scores, never a mix of two models.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import cypher
from graph.connection import Driver
from graph.records import fill_identifiers
from graph.writer import batched


@dataclass(frozen=True)
class ScoredLink:
    start: str
    end: str
    score: float
    rank: int


@dataclass
class ScoreWrite:
    """How many old results went and how many new ones found their nodes."""

    removed: int = 0
    written: int = 0
    missing: int = 0
    delete_s: float = 0.0  # wall seconds removing the old results
    write_s: float = 0.0  # wall seconds writing the new ones

    def as_dict(self) -> dict[str, int]:
        return {"removed": self.removed, "written": self.written, "missing": self.missing}

    def timings(self) -> dict[str, float]:
        """Where the replace spent its time (benchmarks report it; the summary does not)."""
        return {"delete_s": self.delete_s, "write_s": self.write_s}


def _drain(driver: Driver, database: str, query: str, batch: int) -> int:
    """Run a ``LIMIT $limit`` delete until it removes nothing; total removed."""
    total = 0
    while True:
        records, _, _ = driver.execute_query(query, limit=batch, database_=database)
        n = int(records[0][0]) if records else 0
        total += n
        if n == 0:
            return total


def _replace(
    driver: Driver,
    database: str,
    clear: str,
    write: str,
    ids: dict[str, str],
    payloads: Iterable[dict[str, Any]],
    model: str,
    batch_size: int,
) -> ScoreWrite:
    """The one mechanism behind both shapes: drain the old results with the ``clear``
    template, then write the new rows in batches with the ``write`` template."""
    out = ScoreWrite()
    t0 = time.perf_counter()
    out.removed = _drain(driver, database, fill_identifiers(cypher.load(clear), **ids), batch_size)
    t1 = time.perf_counter()
    query = fill_identifiers(cypher.load(write), **ids)
    for rows in batched(payloads, batch_size):
        written = _write(driver, database, query, rows, model)
        out.written += written
        out.missing += len(rows) - written
    out.delete_s, out.write_s = t1 - t0, time.perf_counter() - t1
    return out


def write_scored_links(
    driver: Driver,
    links: Iterable[ScoredLink],
    *,
    start_label: str,
    rel_type: str,
    end_label: str,
    model: str,
    database: str = "neo4j",
    batch_size: int = 10_000,
) -> ScoreWrite:
    """Replace every ``(start_label)-[rel_type]->(end_label)`` with ``links``."""
    rows = (
        {"start": r.start, "end": r.end, "score": float(r.score), "rank": int(r.rank)}
        for r in links
    )
    ids = {"start_label": start_label, "type": rel_type, "end_label": end_label}
    return _replace(
        driver, database, "writes/delete_scored_links", "writes/create_scored_links", ids,
        rows, model, batch_size,
    )  # fmt: skip


def write_node_scores(
    driver: Driver,
    scores: Iterable[tuple[str, float]],
    *,
    label: str,
    model: str,
    score_property: str = "risk_score",
    model_property: str = "risk_model",
    database: str = "neo4j",
    batch_size: int = 10_000,
) -> ScoreWrite:
    """Replace ``score_property``/``model_property`` on every ``label`` node with ``scores``."""
    rows = ({"key": k, "score": float(s)} for k, s in scores)
    ids = {"label": label, "score_property": score_property, "model_property": model_property}
    return _replace(
        driver, database, "writes/clear_node_scores", "writes/set_node_scores", ids,
        rows, model, batch_size,
    )  # fmt: skip


def _write(
    driver: Driver, database: str, query: str, rows: Sequence[dict[str, Any]], model: str
) -> int:
    records, _, _ = driver.execute_query(query, rows=list(rows), model=model, database_=database)
    return int(records[0][0]) if records else 0


RISK_BANDS = (("RiskHigh", 0.01), ("RiskMedium", 0.05))


def write_risk_bands(
    driver: Driver,
    scores: Sequence[float],
    *,
    label: str,
    score_property: str = "risk_score",
    database: str = "neo4j",
    batch_size: int = 10_000,
) -> dict[str, int]:
    """Label the top 1 % of ``label`` nodes by score ``RiskHigh`` and the next 4 % ``RiskMedium``
    (the alert rates the fraud metrics use), replacing earlier bands. Returns nodes per band."""
    ranked = sorted((float(s) for s in scores), reverse=True)
    out: dict[str, int] = {}
    high = float("inf")
    for name, rate in RISK_BANDS:
        _drain(
            driver,
            database,
            fill_identifiers(cypher.load("writes/clear_risk_label"), label=label, name=name),
            batch_size,
        )
        if not ranked:
            out[name] = 0
            continue
        low = ranked[min(len(ranked) - 1, max(0, int(len(ranked) * rate) - 1))]
        query = fill_identifiers(
            cypher.load("writes/set_risk_label"),
            label=label,
            name=name,
            score_property=score_property,
        )
        records, _, _ = driver.execute_query(query, low=low, high=high, database_=database)
        out[name] = int(records[0][0]) if records else 0
        high = low
    return out
