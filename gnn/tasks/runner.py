"""Train, evaluate and score the declared tasks against a graph in Neo4j.

* ``evaluate_task``: every model of the task on its split, side by side — the report entry.
* ``train_task``: the same, then the model chosen on valid is refit on all the data and saved
  as a versioned artefact (``<models_dir>/<task>/<stamp>``, ``latest`` repointed).
* ``score_task``: load an artefact, score (``gnn.score``), and write the results back to Neo4j
  (replacing the previous model's) and optionally to a CSV file.

A spec names its runner (``runner:``, default by kind); ``REGISTRY`` maps the name to the code,
so adding a study means registering it here, never sniffing labels to pick a path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch_geometric.data import HeteroData

from cartograph.errors import ConfigError
from gnn.artefacts import Artefact, load_artefact, save_artefact
from gnn.device import pick_device
from gnn.fingerprint import task_fingerprint
from gnn.provenance import code_version
from gnn.tasks import link, node
from gnn.tasks.spec import TaskSpec
from gnn.tasks.write_back import ScoreSummary, write_scores
from graph.connection import Driver

__all__ = [
    "REGISTRY",
    "Runner",
    "ScoreSummary",
    "TaskRun",
    "evaluate_task",
    "get_runner",
    "resolve_device",
    "score_task",
    "train_task",
]


@dataclass(frozen=True)
class Runner:
    """How one kind of study runs: ``evaluate`` → report; ``train`` → (report, artefact,
    schema). Both take ``(driver, database, spec, seed, device, data=None, **overrides)``;
    ``data`` is a pre-exported graph where the runner can use one (link prediction)."""

    kind: str
    evaluate: Callable[..., dict[str, Any]]
    train: Callable[..., tuple[dict[str, Any], Artefact, dict[str, list[str]]]]


def _node_runner(study: node.Studier) -> Runner:
    def evaluate(driver: Driver, database: str, spec: TaskSpec, seed: int, device: Any,
                 data: HeteroData | None = None, **overrides: Any) -> dict[str, Any]:  # fmt: skip
        out = node.run(study, spec, driver, database, seed, device, False, **overrides)
        report: dict[str, Any] = out["report"]
        return report

    def train(driver: Driver, database: str, spec: TaskSpec, seed: int, device: Any,
              data: HeteroData | None = None, **overrides: Any) -> Any:  # fmt: skip
        out = node.run(study, spec, driver, database, seed, device, True, **overrides)
        out["report"]["task_spec"] = spec.model_dump(mode="json")
        return out["report"], out["artefact"], out["schema"]

    return Runner("node_classification", evaluate, train)


REGISTRY: dict[str, Runner] = {
    "link": Runner("link_prediction", link.evaluate, link.train),
    "node": _node_runner(node.generic_study),
    "marketplace_fraud": _node_runner(node.fraud_study),
}


def get_runner(spec: TaskSpec) -> Runner:
    """The registered runner the spec names; a coded error for a name or kind that does not fit."""
    name = spec.runner_name
    runner = REGISTRY.get(name)
    if runner is None:
        known = ", ".join(sorted(REGISTRY))
        raise ConfigError(
            f"task {spec.name}: unknown runner {name!r} (registered: {known})", code="E145"
        )
    if runner.kind != spec.kind:
        raise ConfigError(
            f"task {spec.name}: runner {name!r} runs {runner.kind}, not {spec.kind}", code="E145"
        )
    return runner


@dataclass
class TaskRun:
    """One task's report entry and, after ``train_task``, where its model went."""

    report: dict[str, Any]
    model_dir: Path | None = None
    seconds: float = 0.0


def resolve_device(name: str) -> torch.device:
    return pick_device(None if name == "auto" else name)


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
    runner = get_runner(spec)
    t0 = time.perf_counter()
    report = runner.evaluate(driver, database, spec, seed, device, data, **overrides)
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
    """Evaluate every model, refit the one chosen on valid, save it (``save``: false on every
    rank but 0 of a distributed run). Link tasks checkpoint under
    ``<models_dir>/<task>/checkpoints`` while they train, so running it again resumes."""
    runner = get_runner(spec)
    t0 = time.perf_counter()
    if runner.kind == "link_prediction" and save:  # a killed run resumes from its checkpoints
        overrides.setdefault("checkpoint_dir", models_dir / spec.name / "checkpoints")
    report, art, schema = runner.train(driver, database, spec, seed, device, data, **overrides)
    run = TaskRun(report)
    art.manifest.update(
        task_spec=spec.model_dump(mode="json"),
        seed=seed,
        device=str(device),
        data_hash=run.report["data_hash"],
        code_version=code_version(),
        torch=torch.__version__,
        schema=schema,
        fingerprint=task_fingerprint(art.keys, schema, spec),
        metrics={m["name"]: m["metrics"] for m in run.report.get("models", []) if "metrics" in m},
    )
    if save:
        run.model_dir = save_artefact(models_dir, art)
        run.report["artefact"] = {"dir": str(run.model_dir), "version": art.manifest["version"]}
    run.seconds = round(time.perf_counter() - t0, 2)
    return run


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
    rows, written = write_scores(driver, database, spec, art, output, top, write)
    return ScoreSummary(Path(model_dir), art.version, rows, written, output)
