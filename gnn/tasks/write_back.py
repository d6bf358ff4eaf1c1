"""Where ``score_task`` puts a saved model's scores: rows from ``gnn.score`` written to Neo4j
(replacing the previous model's) and/or a CSV file, one writer per task kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gnn.artefacts import Artefact
from gnn.score import link_scores, node_scores, pair_links, write_csv
from gnn.tasks.spec import TaskSpec
from graph.connection import Driver
from graph.scores import write_node_scores, write_risk_bands, write_scored_links


@dataclass
class ScoreSummary:
    model_dir: Path
    version: str
    rows: int
    written: dict[str, Any]
    output: Path | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_dir": str(self.model_dir),
            "version": self.version,
            "rows": self.rows,
            "neo4j": self.written,
            "output": str(self.output) if self.output else None,
        }


def _links(
    driver: Driver, database: str, spec: TaskSpec, art: Artefact,
    output: Path | None, top: int | None, write: bool,
) -> tuple[int, dict[str, Any]]:  # fmt: skip
    """Top-k targets per source as ``RECOMMENDED``-style links."""
    written: dict[str, Any] = {}
    links = list(link_scores(art, top or spec.write_back.top_k))
    if output:
        write_csv(
            output,
            ["source_key", "target_key", "score", "rank"],
            ((r.start, r.end, repr(r.score), r.rank) for r in links),
        )
    if write:
        written.update(
            write_scored_links(
                driver,
                links,
                start_label=spec.source or "",
                rel_type=spec.write_back.relationship,
                end_label=spec.target or "",
                model=art.version,
                database=database,
            ).as_dict()
        )
    return len(links), written


def _nodes(
    driver: Driver, database: str, spec: TaskSpec, art: Artefact,
    output: Path | None, top: int | None, write: bool,
) -> tuple[int, dict[str, Any]]:  # fmt: skip
    """A score property per node, risk bands for ``risk_score``, and scored account pairs."""
    written: dict[str, Any] = {}
    scores = node_scores(art)
    if output:
        write_csv(output, ["key", "score"], ((k, repr(s)) for k, s in scores))
    if write:
        written.update(
            write_node_scores(
                driver,
                scores,
                label=spec.label or "",
                model=art.version,
                score_property=spec.write_back.score_property,
                model_property=spec.write_back.model_property,
                database=database,
            ).as_dict()
        )
    if write and spec.write_back.score_property == "risk_score":
        written["bands"] = write_risk_bands(
            driver, [s for _, s in scores], label=spec.label or "", database=database
        )
    if art.tensors.get("pair_index") is not None and write:
        pair_label = art.manifest["pair_label"]
        written["links"] = write_scored_links(
            driver,
            pair_links(art),
            start_label=pair_label,
            rel_type="LIKELY_SAME_ACTOR",
            end_label=pair_label,
            model=art.version,
            database=database,
        ).as_dict()
    return len(scores), written


WRITERS: dict[str, Callable[..., tuple[int, dict[str, Any]]]] = {
    "link_prediction": _links,
    "node_classification": _nodes,
}


def write_scores(
    driver: Driver,
    database: str,
    spec: TaskSpec,
    art: Artefact,
    output: Path | None,
    top: int | None,
    write: bool,
) -> tuple[int, dict[str, Any]]:
    """``(rows, what was written to Neo4j)`` for the artefact of ``spec``'s kind."""
    return WRITERS[spec.kind](driver, database, spec, art, output, top, write)
