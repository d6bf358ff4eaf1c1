"""The link-prediction runner: a spec → the recommendation split, models and export, every model
on the temporal split (``gnn.recommend``), and the served refit as an artefact.

What the spec steers here: ``split.kind`` and ``split.property`` (a given split read from any
property name), ``train:`` (every field honoured by every trained model, ``dim`` included),
``refit`` (what the served model learns from; default ``train+valid``) and ``ablations``
(``[content]`` re-runs the content-aware models without their text features)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import torch
from torch_geometric.data import HeteroData

from gnn.artefacts import Artefact, ArtefactError, data_hash
from gnn.link_data import export_link_data
from gnn.recommend import (
    ALL_MODELS,
    CONTENT_MODELS,
    RecommendConfig,
    train_and_evaluate,
)
from gnn.recommend_final import DEFAULT_REFIT, fit_final
from gnn.split import STATIC_REL_TYPES, SplitConfig
from gnn.tasks.spec import TaskSpec
from gnn.train import TrainConfig
from graph.connection import Driver


def split_config(spec: TaskSpec, seed: int | None = None) -> SplitConfig:
    """The recommendation split for a link-prediction spec; ``seed`` (the spec's own, else the
    run's) draws a valid part from train when a given split has none."""
    assert spec.interaction is not None and spec.source and spec.target
    kw: dict[str, Any] = {
        "user": spec.source,
        "item": spec.target,
        "valid_frac": spec.split.valid_frac,
        "test_frac": spec.split.test_frac,
        "split_property": spec.split.property,
    }
    if spec.seed is not None or seed is not None:
        kw["seed"] = spec.seed if spec.seed is not None else seed
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
    """Models, cut-offs and ablations from the spec; ``spec.train`` is the shared optimiser
    config, and an override ``train={...}`` or ``dim=`` replaces some of its fields (tests and
    benchmarks shrink budgets)."""
    assert isinstance(spec.train, TrainConfig)
    train = dataclasses.replace(spec.train, **overrides.pop("train", {}))
    if "dim" in overrides:
        train = dataclasses.replace(train, dim=overrides.pop("dim"))
    models = tuple(spec.models) if spec.models else ALL_MODELS
    ablate = tuple(m for m in CONTENT_MODELS if m in models) if "content" in spec.ablations else ()
    overrides.setdefault("ablate_text", ablate)
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


def evaluate(
    driver: Driver,
    database: str,
    spec: TaskSpec,
    seed: int,
    device: torch.device,
    data: HeteroData | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Every model of ``spec`` on its temporal split: the report entry (exported unless given)."""
    data = data if data is not None else export(driver, database, spec)
    report = train_and_evaluate(
        data, split_config(spec, seed), recommend_config(spec, **overrides), seed, device
    )
    report["data_hash"] = data_hash(data)
    return report


def train(
    driver: Driver,
    database: str,
    spec: TaskSpec,
    seed: int,
    device: torch.device,
    data: HeteroData | None = None,
    **overrides: Any,
) -> tuple[dict[str, Any], Artefact, dict[str, list[str]]]:
    """Evaluate, then refit the model chosen on valid: ``(report, artefact, schema)``.

    ``checkpoint_dir`` (an override the runner passes) gets one folder per data and seed; each
    fit checkpoints there after every evaluation, so rerunning a killed ``train`` resumes, and
    the folder goes once the artefact is built."""
    data = data if data is not None else export(driver, database, spec)
    root: Path | None = overrides.pop("checkpoint_dir", None)
    if root is not None:
        overrides["checkpoint_dir"] = root / f"{data_hash(data)[:16]}-seed{seed}"
    report = evaluate(driver, database, spec, seed, device, data, **dict(overrides))
    report["task_spec"] = spec.model_dump(mode="json")
    art = final_artefact(spec, data, report, seed, device, **overrides)
    if root is not None:
        shutil.rmtree(overrides["checkpoint_dir"], ignore_errors=True)
    return report, art, schema(data)


def schema(data: HeteroData) -> dict[str, list[str]]:
    """Node and edge types the model was trained on, stored in the manifest."""
    return {
        "node_types": sorted(data.node_types),
        "edge_types": sorted("-".join(et) for et in data.edge_types),
    }


def final_artefact(
    spec: TaskSpec,
    data: HeteroData,
    report: dict[str, Any],
    seed: int,
    device: torch.device,
    **overrides: Any,
) -> Artefact:
    """Refit the model best on valid (any model: training-free filters are served from their
    matrices) on the periods ``spec.refit`` names."""
    metric = report["selection"]["metric"].removeprefix("valid ")
    if not report["models"]:
        raise ArtefactError(f"task {spec.name}: no model ran; nothing to serve", code="E526")
    best = max(report["models"], key=lambda m: m["valid_metrics"][metric])
    cfg = recommend_config(spec, **overrides)
    refit = spec.refit or DEFAULT_REFIT
    epochs = best.get("best_epoch", 1)
    beta = float(best.get("kg_filter", {}).get("beta", 0.0))
    split = split_config(spec, seed)
    final = fit_final(data, best["name"], epochs, split, cfg, seed, device, refit, beta)
    assert spec.source and spec.target
    keys = {
        spec.source: [str(k) for k in data[spec.source].node_key],
        spec.target: [str(k) for k in data[spec.target].node_key],
    }
    weights = final.model.state_dict() if final.model is not None else None
    manifest: dict[str, Any] = {
        "kind": spec.kind,
        "config": final.config,
        "chosen_by": f"valid {metric} = {best['valid_metrics'][metric]}",
        "refit": refit,
        "selection_note": report["selection"].get("note"),
        "test_metrics": best["metrics"],
        "source": spec.source,
        "target": spec.target,
    }
    if final.scorer is not None:  # a training-free filter: gnn.served reads its matrices
        manifest["scorer"] = final.scorer
    return Artefact(
        task=spec.name,
        model=best["name"],
        manifest=manifest,
        tensors=final.tensors,
        keys=keys,
        weights=weights,
    )
