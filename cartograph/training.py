"""Train, evaluate and score the declared tasks against a graph in Neo4j.

* ``evaluate_task``: every model of the task on its split, side by side — the report entry.
* ``train_task``: the same, then the model chosen on valid is refit on all the data and saved
  as a versioned artefact (``<models_dir>/<task>/<stamp>``, ``latest`` repointed).
* ``score_task``: load an artefact, score, and write the results back to Neo4j (replacing the
  previous model's) and optionally to a CSV file.

Link prediction runs through ``gnn.recommend``; node classification through ``gnn.fraud``
(the marketplace preset) or ``gnn.classify`` (any other graph).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch_geometric.data import HeteroData

from cartograph.report import code_version
from gnn.artefacts import Artefact, ArtefactError, data_hash, load_artefact, save_artefact
from gnn.device import pick_device
from gnn.link_data import export_link_data
from gnn.recommend import ALL_MODELS, RecommendConfig, fit_final, top_k, train_and_evaluate
from gnn.split import STATIC_REL_TYPES, SplitConfig
from gnn.tasks import TaskSpec
from gnn.train import TrainConfig
from graph.connection import Driver
from graph.scores import ScoredLink, write_node_scores, write_risk_bands, write_scored_links

EMBEDDING_MODELS = ("bpr-mf", "lightgcn", "kg-lightgcn", "hetero-sage")


@dataclass
class TaskRun:
    """One task's report entry and, after ``train_task``, where its model went."""

    report: dict[str, Any]
    model_dir: Path | None = None
    seconds: float = 0.0


def resolve_device(name: str) -> torch.device:
    return pick_device(None if name == "auto" else name)


def split_config(spec: TaskSpec) -> SplitConfig:
    """The recommendation split for a link-prediction spec."""
    assert spec.interaction is not None and spec.source and spec.target
    kw: dict[str, Any] = {
        "user": spec.source,
        "item": spec.target,
        "valid_frac": spec.split.valid_frac,
        "test_frac": spec.split.test_frac,
    }
    kw["kind"] = spec.split.kind
    if spec.interaction.relationship:
        kw["relationship"] = spec.interaction.relationship
    elif spec.interaction.event and spec.interaction.via:
        kw.update(
            event=spec.interaction.event,
            placed=spec.interaction.via[0],
            contains=spec.interaction.via[1],
        )
    if spec.static_relationships is not None:
        kw["static_rel_types"] = tuple(spec.static_relationships)
    else:
        kw["static_rel_types"] = STATIC_REL_TYPES
    if spec.drop_labels is not None:
        kw["drop_labels"] = tuple(spec.drop_labels)
    return SplitConfig(**kw)


def recommend_config(spec: TaskSpec, **overrides: Any) -> RecommendConfig:
    """Models and cut-offs from the spec; ``spec.train`` overrides the shared optimiser."""
    train = TrainConfig(**{**spec.train, **overrides.pop("train", {})})
    models = tuple(spec.models) if spec.models else ALL_MODELS
    return RecommendConfig(models=models, ks=tuple(spec.ks), train=train, **overrides)


def export(driver: Driver, database: str, spec: TaskSpec) -> HeteroData:
    """The graph a link-prediction spec reads: its labels and relationship types (default all),
    the interaction's time and split code, and the node properties it names."""
    kw: dict[str, Any] = {}
    if spec.node_properties is not None:
        kw["node_properties"] = spec.node_properties
    return export_link_data(
        driver,
        split_config(spec),
        database,
        list(spec.labels) if spec.labels is not None else None,
        list(spec.relationships) if spec.relationships is not None else None,
        **kw,
    )


def evaluate_task(
    driver: Driver,
    database: str,
    spec: TaskSpec,
    seed: int,
    device: torch.device,
    data: HeteroData | None = None,
    **overrides: Any,
) -> TaskRun:
    """All models of ``spec`` on its split; nothing is saved."""
    t0 = time.perf_counter()
    if spec.kind == "link_prediction":
        data = data if data is not None else export(driver, database, spec)
        report = train_and_evaluate(
            data, split_config(spec), recommend_config(spec, **overrides), seed, device
        )
        report["data_hash"] = data_hash(data)
    else:
        report = _classify(spec, driver, database, seed, device, False, **overrides)["report"]
    report["task_spec"] = spec.model_dump(mode="json")
    return TaskRun(report, None, round(time.perf_counter() - t0, 2))


def train_task(
    driver: Driver,
    database: str,
    spec: TaskSpec,
    seed: int,
    device: torch.device,
    models_dir: Path,
    data: HeteroData | None = None,
    save: bool = True,
    **overrides: Any,
) -> TaskRun:
    """Evaluate every model, refit the one chosen on valid on all data, save it (``save``:
    false on every rank but 0 of a distributed run)."""
    t0 = time.perf_counter()
    if spec.kind == "link_prediction":
        data = data if data is not None else export(driver, database, spec)
        run = evaluate_task(driver, database, spec, seed, device, data, **overrides)
        art = _final_link_artefact(spec, data, run.report, seed, device, **overrides)
        schema = {
            "node_types": sorted(data.node_types),
            "edge_types": sorted("-".join(et) for et in data.edge_types),
        }
    else:
        out = _classify(spec, driver, database, seed, device, True, **overrides)
        run = TaskRun(out["report"])
        run.report["task_spec"] = spec.model_dump(mode="json")
        art, schema = out["artefact"], out["schema"]
    art.manifest.update(
        task_spec=spec.model_dump(mode="json"),
        seed=seed,
        device=str(device),
        data_hash=run.report["data_hash"],
        code_version=code_version(),
        torch=torch.__version__,
        schema=schema,
        metrics={m["name"]: m["metrics"] for m in run.report.get("models", []) if "metrics" in m},
    )
    if save:
        run.model_dir = save_artefact(models_dir, art)
        run.report["artefact"] = {"dir": str(run.model_dir), "version": art.manifest["version"]}
    run.seconds = round(time.perf_counter() - t0, 2)
    return run


def _final_link_artefact(
    spec: TaskSpec,
    data: HeteroData,
    report: dict[str, Any],
    seed: int,
    device: torch.device,
    **overrides: Any,
) -> Artefact:
    """Refit the best embedding model (by valid metric) on every interaction up to now."""
    metric = report["selection"]["metric"].removeprefix("valid ")
    trained = [m for m in report["models"] if m["name"] in EMBEDDING_MODELS]
    if not trained:
        raise ArtefactError(
            f"task {spec.name}: no embedding model among {spec.models}; nothing to serve",
            code="E526",
        )
    best = max(trained, key=lambda m: m["valid_metrics"][metric])
    cfg = recommend_config(spec, **overrides)
    final = fit_final(
        data, best["name"], best.get("best_epoch", 1), split_config(spec), cfg, seed, device
    )
    assert spec.source and spec.target
    keys = {
        spec.source: [str(k) for k in data[spec.source].node_key],
        spec.target: [str(k) for k in data[spec.target].node_key],
    }
    weights = final.model.state_dict() if final.model is not None else None
    return Artefact(
        task=spec.name,
        model=best["name"],
        manifest={
            "kind": spec.kind,
            "config": final.config,
            "chosen_by": f"valid {metric} = {best['valid_metrics'][metric]}",
            "test_metrics": best["metrics"],
            "source": spec.source,
            "target": spec.target,
        },
        tensors={
            "source_emb": final.user_emb,
            "target_emb": final.item_emb,
            "history": final.history,
        },
        keys=keys,
        weights=weights,
    )


def _classify(
    spec: TaskSpec,
    driver: Driver,
    database: str,
    seed: int,
    device: torch.device,
    final: bool,
    **overrides: Any,
) -> dict[str, Any]:
    """Node classification: ``{"report", "artefact", "schema"}`` (artefact when ``final``)."""
    from gnn import classify_task  # the marketplace preset and the generic path

    return classify_task.run(spec, driver, database, seed, device, final, **overrides)


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


def score_task(
    driver: Driver,
    database: str,
    model_dir: Path,
    output: Path | None = None,
    top: int | None = None,
    write: bool = True,
) -> ScoreSummary:
    """Score with a saved model; write back to Neo4j (replacing old results) and/or CSV."""
    art = load_artefact(model_dir)
    spec = TaskSpec.model_validate(art.manifest["task_spec"])
    written: dict[str, Any] = {}
    if spec.kind == "link_prediction":
        k = top or spec.write_back.top_k
        links = list(link_scores(art, k))
        if output:
            _write_csv(
                output,
                ["source_key", "target_key", "score", "rank"],
                ((r.start, r.end, f"{r.score:.6f}", r.rank) for r in links),
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
        rows = len(links)
    else:
        scores = node_scores(art)
        if output:
            _write_csv(output, ["key", "score"], ((k, f"{s:.6f}") for k, s in scores))
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
        rows = len(scores)
        if write and spec.write_back.score_property == "risk_score":
            written["bands"] = write_risk_bands(
                driver, [s for _, s in scores], label=spec.label or "", database=database
            )
        pairs = art.tensors.get("pair_index")
        if pairs is not None and write:
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
    return ScoreSummary(Path(model_dir), art.version, rows, written, output)


def link_scores(art: Artefact, k: int) -> Iterator[ScoredLink]:
    """Top-``k`` targets per source from the stored embeddings, already-linked masked."""
    src_label, dst_label = art.manifest["source"], art.manifest["target"]
    scores, items = top_k(
        art.tensors["source_emb"], art.tensors["target_emb"], art.tensors["history"], k
    )
    src_keys, dst_keys = art.keys[src_label], art.keys[dst_label]
    for u in range(scores.shape[0]):
        for rank in range(scores.shape[1]):
            s = float(scores[u, rank])
            if s == float("-inf"):
                break
            yield ScoredLink(src_keys[u], dst_keys[int(items[u, rank])], s, rank + 1)


def node_scores(art: Artefact) -> list[tuple[str, float]]:
    """(key, score) for every scored node stored in the artefact."""
    label = art.manifest["label"]
    scores = art.tensors["scores"].tolist()
    return list(zip(art.keys[label], scores, strict=True))


def pair_links(art: Artefact) -> Iterator[ScoredLink]:
    """Scored account pairs stored by the fraud task (``pair_index``, ``pair_score``)."""
    label = art.manifest["pair_label"]
    keys = art.keys[label]
    idx, sc = art.tensors["pair_index"], art.tensors["pair_score"]
    for j in range(idx.shape[1]):
        yield ScoredLink(keys[int(idx[0, j])], keys[int(idx[1, j])], float(sc[j]), j + 1)


def _write_csv(path: Path, header: list[str], rows: Any) -> None:
    """Write to a temporary file and rename, so a failed write leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ArtefactError(f"cannot write scores to {path}: {exc}", code="E527") from exc
