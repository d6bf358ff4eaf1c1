"""Node-classification runners: a spec → a run, a report entry and a servable artefact.

Two runners share everything but the study itself:

* ``node`` (any graph): the generic, schema-driven GNN of ``gnn.classify`` on whatever the
  graph holds;
* ``marketplace_fraud`` (the ``fraud`` preset names it): the full fraud study of ``gnn.fraud``
  (rules, trees, trees + graph features, the causal GNN, account links) plus what online order
  scoring needs.

Either way the model that scores the test period is the one stored (trained with the labels
known at the last cut), with a score for every node of the label so ``cartograph score`` needs
no retraining.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch_geometric.data import HeteroData

from gnn.artefacts import Artefact, data_hash
from gnn.classify import score_nodes
from gnn.classify_spec import ClassifySpec, TrainConfig
from gnn.classify_split import describe_split
from gnn.tasks.link import schema
from gnn.tasks.spec import TaskSpec
from graph.connection import Driver
from graph.reader import node_property_keys

LINK_LABEL = "User"
PAIR_RELATIONSHIP = "LIKELY_SAME_ACTOR"  # the fraud task's scored account pairs


@dataclass
class Study:
    """What a study hands back: its report, the graph, the serving model and its view, and the
    online-scoring inputs (empty when the study serves no online scoring)."""

    report: dict[str, Any]
    data: HeteroData
    model: Any
    view: Any
    online: dict[str, Any] = dataclasses.field(default_factory=dict)
    scores: np.ndarray | None = None  # every target node, when the served model is not ``model``


Studier = Callable[..., Study]


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


def generic_study(
    spec: TaskSpec,
    driver: Driver,
    database: str,
    seed: int,
    device: torch.device,
    settings: TrainConfig,
    cspec: ClassifySpec,
    truth_dir: Path | None = None,
) -> Study:
    """The whole zoo (``gnn.node_zoo``) on the graph minus every task's outputs; the model
    best on valid is served, whatever its family."""
    from gnn.node_zoo import check_models, run_zoo, summarise

    models = check_models(spec.models)
    data = export_inputs(driver, database, spec)
    runs = [run_zoo(data, cspec, settings, seed + i, device, models) for i in range(spec.seeds)]
    entries, selection = summarise(runs)
    chosen = next(c for c in runs[0].candidates if c.entry["name"] == selection["served"])
    report = {
        "task": f"node classification: {spec.label}.{spec.label_property}",
        "seed": seed,
        "seeds": [r.seed for r in runs],
        "device": str(device),
        "split": describe_split(runs[0].split),
        "models": entries,
        "selection": selection,
        "features": runs[0].features,
        "skipped_models": runs[0].skipped,
        "excluded_outputs": {k: sorted(v) for k, v in written_outputs(spec).items()},
    }
    return Study(report, data, chosen.model, runs[0].view, scores=chosen.scores)


def written_outputs(spec: TaskSpec) -> dict[str, set[str]]:
    """What any task's write-back puts in the graph (this spec's and every preset's): such
    labels, properties and relationship types are results, never inputs of a later training."""
    from gnn.tasks.spec import load_task, preset_names
    from graph.scores import RISK_BANDS

    specs = [spec, *(load_task(name) for name in preset_names())]
    props, rels = set(), {PAIR_RELATIONSHIP}
    for s in specs:
        if s.kind == "node_classification":
            props |= {s.write_back.score_property, s.write_back.model_property}
        else:
            rels.add(s.write_back.relationship)
    return {"labels": {name for name, _ in RISK_BANDS}, "properties": props, "relationships": rels}


def export_inputs(driver: Driver, database: str, spec: TaskSpec) -> HeteroData:
    """Every label, relationship type and property of the graph except ``written_outputs``."""
    from gnn.classify_data import property_data
    from graph.reader import export_graph, schema_tokens

    out = written_outputs(spec)
    labels, types = schema_tokens(driver, database)
    props = {
        label: [p for p in keys if p not in out["properties"]]
        for label, keys in node_property_keys(driver, database).items()
        if label not in out["labels"]
    }
    arrays = export_graph(
        driver,
        database,
        labels=[lb for lb in labels if lb not in out["labels"]],
        rel_types=[t for t in types if t not in out["relationships"]],
        node_properties=props,
    )
    return property_data(arrays)


def fraud_study(
    spec: TaskSpec,
    driver: Driver,
    database: str,
    seed: int,
    device: torch.device,
    settings: TrainConfig,
    cspec: ClassifySpec,
    truth_dir: Path | None = None,
) -> Study:
    """The marketplace fraud study; its GNN also scores orders online."""
    from gnn.fraud import export_fraud_data, run_fraud
    from gnn.node_zoo import check_models

    data = export_fraud_data(driver, database)
    models = check_models(spec.models)
    runs = [
        run_fraud(data, seed + i, device, settings, truth_dir, spec=cspec, models=models,
                  tune=spec.tune)
        for i in range(spec.seeds)
    ]  # fmt: skip
    fr = runs[0]
    if len(runs) > 1:  # every model's mean and std over seeds; the choice on the mean
        from gnn.node_zoo import summarise

        entries, selection = summarise([r.zoo for r in runs])
        from gnn.fraud import online_note

        online = fr.report["selection"]["served_online"]
        fr.report.update(models=entries, seeds=[r.zoo.seed for r in runs])
        fr.report["selection"] = {
            **selection,
            "served_online": online,
            "note": online_note(selection["served"], online),
        }
        chosen = next(c for c in fr.zoo.candidates if c.entry["name"] == selection["served"])
        fr.scores = chosen.scores
    online = _online_inputs(data, fr.report)
    return Study(fr.report, data, fr.gnn.model, fr.view, online, scores=fr.scores)


def run(
    study: Studier,
    spec: TaskSpec,
    driver: Driver,
    database: str,
    seed: int,
    device: torch.device,
    final: bool,
    truth_dir: Path | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """``{"report", "artefact", "schema"}`` for a node-classification spec (artefact when
    ``final``)."""
    assert isinstance(spec.train, TrainConfig)
    settings = dataclasses.replace(spec.train, **overrides.pop("train", {}))
    cspec = classify_spec(spec)
    out = study(spec, driver, database, seed, device, settings, cspec, truth_dir)
    report = out.report
    report["data_hash"] = data_hash(out.data)
    report["classify_spec"] = dataclasses.asdict(cspec)
    links = report.get("account_links", {})
    pairs = links.pop("pairs", None)
    result: dict[str, Any] = {"report": report, "schema": schema(out.data)}
    if final:
        result["artefact"] = _artefact(spec, out, device, pairs)
        _add_online(result["artefact"], out.model, out.view, device, out.online)
    return result


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
    from gnn.classify import predict
    from gnn.fraud.online import layer_states

    art.tensors["x"] = view.x[view.target].float().cpu()
    art.tensors["hidden"] = layer_states(model, view, device)
    # the online model's own batch scores: what online scoring must agree with (the stored
    # ``scores`` come from the model chosen on valid, which may be another family)
    art.tensors["online_scores"] = predict(model, view, device).double()
    art.tensors["time"] = view.time.double().cpu()
    art.manifest["online"] = online


def _artefact(
    spec: TaskSpec, out: Study, device: torch.device, pairs: dict[str, list[Any]] | None
) -> Artefact:
    """A score per node from the served model (weights + config when it is a neural
    network, so online scoring can rebuild it), and scored pairs."""
    assert spec.label
    data, model = out.data, out.model
    served = out.report.get("selection", {}).get("served", "gnn-sage")
    if out.scores is not None:
        keys, scores = list(data[spec.label].node_key), out.scores
    else:
        keys, scores = score_nodes(model, data, out.view, device)
    tensors = {"scores": torch.as_tensor(scores, dtype=torch.float64)}
    all_keys: dict[str, list[str]] = {spec.label: [str(k) for k in keys]}
    manifest: dict[str, Any] = {"kind": spec.kind, "label": spec.label, "served": served}
    entry: dict[str, Any] = next(
        (m for m in out.report.get("models", []) if m["name"] == served), {}
    )
    manifest["served_config"] = {
        k: entry[k] for k in ("params", "settings", "tuned", "rounds", "weights") if k in entry
    }
    if model is not None:
        manifest["classifier_config"] = model.config()
        manifest["classifier_class"] = type(model).__name__
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
        model=served,
        manifest=manifest,
        tensors=tensors,
        keys=all_keys,
        weights=(
            {k: v.detach().cpu() for k, v in model.state_dict().items()}
            if model is not None
            else None
        ),
    )
