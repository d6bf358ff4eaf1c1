"""Node-classification task specs → a run, a report entry and a servable artefact.

The marketplace's ``fraud`` preset runs the full fraud study (``gnn.fraud``: rules, trees,
trees + graph features, the causal GNN, account links); any other node-classification spec runs
the generic, schema-driven GNN of ``gnn.classify`` on whatever the graph holds. Either way the
model that scores the test period is the one stored (trained with the labels known at the last
cut), with a score for every node of the label so ``cartograph score`` needs no retraining.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import torch
from torch_geometric.data import HeteroData

from gnn.artefacts import Artefact, data_hash
from gnn.classify import (
    ClassifySpec,
    TrainSettings,
    describe_split,
    node_split,
    score_nodes,
    train_and_evaluate_classifier,
)
from gnn.classify_data import export_property_data
from gnn.tasks import TaskSpec
from graph.connection import Driver
from graph.reader import node_property_keys

LINK_LABEL = "User"


def classify_spec(spec: TaskSpec) -> ClassifySpec:
    """The ``gnn.classify`` view of a task spec."""
    assert spec.label and spec.label_property
    s = spec.split
    return ClassifySpec(
        target=spec.label,
        label=spec.label_property,
        features=tuple(spec.feature_properties) if spec.feature_properties is not None else None,
        split=s.kind,
        time="time" if s.time_property == "created_at" else s.time_property,
        label_time=s.label_time_property,
        gap_days=s.gap_days,
        label_delay_days=s.label_delay_days,
        valid_frac=s.valid_frac,
        test_frac=s.test_frac,
        split_property=s.property,
    )


def is_marketplace_fraud(spec: TaskSpec) -> bool:
    return spec.label == "Order" and spec.label_property == "is_chargeback"


def run(
    spec: TaskSpec,
    driver: Driver,
    database: str,
    seed: int,
    device: torch.device,
    final: bool,
    truth_dir: Path | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """``{"report", "artefact", "schema"}`` for a node-classification spec."""
    settings = TrainSettings(**{**spec.train, **overrides.pop("train", {})})
    cspec = classify_spec(spec)
    if is_marketplace_fraud(spec):
        from gnn.fraud import export_fraud_data, run_fraud

        data = export_fraud_data(driver, database)
        fr = run_fraud(data, seed, device, settings, truth_dir, spec=cspec)
        report, model, view = fr.report, fr.gnn.model, fr.view
    else:
        data = _export_generic(driver, database, spec)
        entry, fit, view = train_and_evaluate_classifier(data, cspec, settings, seed, device)
        model = fit.model
        report = {
            "task": f"node classification: {spec.label}.{spec.label_property}",
            "seed": seed,
            "device": str(device),
            "split": describe_split(node_split(data, cspec)),
            "models": [entry],
        }
    report["data_hash"] = data_hash(data)
    online = _online_inputs(data, report) if is_marketplace_fraud(spec) else {}
    report["classify_spec"] = dataclasses.asdict(cspec)
    links = report.get("account_links", {})
    pairs = links.pop("pairs", None)
    out: dict[str, Any] = {"report": report, "schema": _schema(data)}
    if final:
        out["artefact"] = _artefact(spec, data, model, view, device, pairs)
        _add_online(out["artefact"], model, view, device, online)
    return out


def _online_inputs(data: HeteroData, report: dict[str, Any]) -> dict[str, Any]:
    """What online order scoring (``gnn.fraud.online``) needs to rebuild the model's inputs:
    the feature names in the order of the input columns, and the category codes."""
    feats = report.get("features", {})
    names = sorted([*feats.get("graph", []), *(f"tab_{k}" for k in feats.get("tabular", []))])
    store = data["Order"]
    cats = {
        p: list(store[f"{p}__values"]) for p in ("platform", "channel") if f"{p}__values" in store
    }
    return {"feature_names": names, "categories": cats}


def _add_online(
    art: Artefact, model: Any, view: Any, device: torch.device, online: dict[str, Any]
) -> None:
    """Inputs and per-layer hidden states of every order: an order scored online hears from
    these stored states, which a newer order cannot change (the view is causal)."""
    if not online:
        return
    from gnn.fraud.online import layer_states

    art.tensors["x"] = view.x[view.target].float().cpu()
    art.tensors["hidden"] = layer_states(model, view, device)
    art.tensors["time"] = view.time.double().cpu()
    art.manifest["online"] = online


def _export_generic(driver: Driver, database: str, spec: TaskSpec) -> HeteroData:
    """Every property of every label (strings become category codes): schema-driven."""
    props = node_property_keys(driver, database)
    return export_property_data(driver, props, None, database)


def _schema(data: HeteroData) -> dict[str, list[str]]:
    return {
        "node_types": sorted(data.node_types),
        "edge_types": sorted("-".join(et) for et in data.edge_types),
    }


def _artefact(
    spec: TaskSpec,
    data: HeteroData,
    model: Any,
    view: Any,
    device: torch.device,
    pairs: dict[str, list[Any]] | None,
) -> Artefact:
    """Weights + config to rebuild the classifier, a score per node, and scored pairs."""
    assert spec.label
    keys, scores = score_nodes(model, data, view, device)
    tensors = {"scores": torch.as_tensor(scores, dtype=torch.float32)}
    all_keys: dict[str, list[str]] = {spec.label: [str(k) for k in keys]}
    manifest: dict[str, Any] = {
        "kind": spec.kind,
        "label": spec.label,
        "classifier_config": model.config(),
    }
    if pairs and pairs.get("source_key"):
        user_keys = [str(k) for k in data[LINK_LABEL].node_key]
        index = {k: i for i, k in enumerate(user_keys)}
        src = [index[k] for k in pairs["source_key"]]
        dst = [index[k] for k in pairs["target_key"]]
        tensors["pair_index"] = torch.tensor([src, dst], dtype=torch.long)
        tensors["pair_score"] = torch.tensor(pairs["score"], dtype=torch.float32)
        all_keys[LINK_LABEL] = user_keys
        manifest["pair_label"] = LINK_LABEL
    return Artefact(
        task=spec.name,
        model="gnn-sage",
        manifest=manifest,
        tensors=tensors,
        keys=all_keys,
        weights={k: v.detach().cpu() for k, v in model.state_dict().items()},
    )
