"""Fraud risk on the marketplace graph: orders that end in a chargeback, accounts of one actor.

``train_and_evaluate_fraud`` runs, on one temporal split with label delay (``gnn.classify``):
the analysts' rule playbook and the node-classification zoo (``gnn.node_zoo``: logistic
regression and LightGBM on tabular order features, LightGBM with time-correct graph features
(``gnn.graph_features``), the MLP, the causal heterogeneous GNN and the band-pass GNN with the
same inputs, and a stack); then the account-link task (``gnn.fraud.links``). Every model sees
the same periods, labels known at each cut, seed and metrics. See docs/gnn-fraud.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch_geometric.data import HeteroData

from gnn.classify import FitResult
from gnn.classify_data import export_property_data
from gnn.classify_metrics import pr_curve
from gnn.classify_spec import NODE_MODELS, ClassifySpec, TrainConfig
from gnn.classify_split import describe_split, node_split
from gnn.classify_views import View
from gnn.device import pick_device
from gnn.fraud.baselines import rule_score
from gnn.fraud.links import account_links
from gnn.fraud.tabular import order_tabular
from gnn.graph_features import GraphFeatureConfig, feature_matrix, graph_features
from graph.connection import Driver

FRAUD_NODE_PROPERTIES: dict[str, list[str]] = {
    "Order": [
        "created_at",
        "total",
        "amount",
        "is_chargeback",
        "chargeback_at",
        "platform",
        "channel",
    ],
    "User": ["created_at", "platform", "country"],
    "Address": ["country"],
    "Product": ["price"],
}
# Behaviour and identifiers; written-back scores (RECOMMENDED, LIKELY_SAME_ACTOR) never return.
FRAUD_REL_TYPES = (
    "PLACED",
    "PLACED_IN_APP",
    "CONTAINS",
    "PAID_WITH",
    "PLACED_FROM",
    "FROM_IP",
    "SHIPPED_TO",
    "HAS_EMAIL",
    "HAS_PHONE",
    "HAS_ADDRESS",
    "SAME_AS",
)
FRAUD_SPEC = ClassifySpec(
    target="Order",
    label="is_chargeback",
    label_time="chargeback_at",
    label_delay_days=60.0,
)


def export_fraud_data(driver: Driver, database: str = "neo4j") -> HeteroData:
    """The parts of the graph the fraud task reads, properties as named tensors."""
    from gnn.classify_data import property_data
    from graph.reader import export_graph  # one export call; rel types restricted

    arrays = export_graph(
        driver,
        database,
        rel_types=[t for t in FRAUD_REL_TYPES],
        node_properties=FRAUD_NODE_PROPERTIES,
        edge_properties={"SAME_AS": ["score"]},
    )
    return property_data(arrays)


@dataclass
class FraudRun:
    """The report entry plus the trained GNN and the view that scores every order."""

    report: dict[str, Any]
    gnn: FitResult
    view: View
    scores: np.ndarray | None = None  # every order, from the model chosen on valid
    zoo: Any = None  # the ``gnn.node_zoo.ZooRun`` behind ``report["models"]``


def train_and_evaluate_fraud(
    data: HeteroData,
    seed: int = 7,
    device: torch.device | str | None = None,
    settings: TrainConfig | None = None,
    truth_dir: Path | None = None,
) -> dict[str, Any]:
    """The report's ``fraud`` entry (JSON-serialisable); see ``run_fraud`` for the model."""
    return run_fraud(data, seed, device, settings, truth_dir).report


def run_fraud(
    data: HeteroData,
    seed: int = 7,
    device: torch.device | str | None = None,
    settings: TrainConfig | None = None,
    truth_dir: Path | None = None,
    spec: ClassifySpec = FRAUD_SPEC,
    models: list[str] | None = None,
    tune: Any | None = None,
) -> FraudRun:
    """Every model on one split; ``truth_dir`` (optional) only scores the account links.

    The zoo of ``gnn.node_zoo`` on the fraud task's own inputs (tabular order features as the
    node's own, the time-correct graph features as the trees' graph features, the causal view
    for the neural models), plus the analysts' rules; the GNN (``gnn-sage+graph``) always runs
    because online order scoring and account links are built on it."""
    from gnn.classify import build_view, fit_and_score
    from gnn.node_zoo import Candidate, ZooInputs, ZooRun, run_family, stack_candidates, summarise

    dev = pick_device(str(device) if device is not None else None)
    settings = settings or TrainConfig()
    wanted = list(NODE_MODELS) if models is None else models
    split = node_split(data, spec)
    tab = order_tabular(data, spec.target)
    gf = graph_features(
        data,
        GraphFeatureConfig(event=spec.target, label=spec.label, label_time=spec.label_time or ""),
    )
    x_tab, x_graph = _stack(tab), _stack(gf)
    extra, _ = feature_matrix({**gf, **_prefixed(tab)})
    fspec = _features_spec(spec)
    view = build_view(data, fspec, extra)
    inp = ZooInputs(data, fspec, split, view, settings, seed, dev, x_tab, x_graph, x_graph)
    cands = [_rules(inp, {**tab, **gf})]
    for name in ("logreg", "lightgbm", "lightgbm+graph", "mlp"):
        if name in wanted:
            cands.append(run_family(name, inp, tune, len(wanted)))
    gnn = fit_and_score(data, fspec, view, settings, seed, dev, name="gnn-sage+graph")
    gnn.entry.update(_curves(split.test.eval_y.numpy(), gnn.scores[split.test.eval.numpy()]))
    cands.append(Candidate(gnn.entry, gnn.valid_scores, gnn.scores, gnn.final.model))
    if "bwgnn" in wanted:
        cands.append(run_family("bwgnn", inp, tune, len(wanted)))
    if "stack" in wanted:
        stacked = stack_candidates(inp, cands)
        if stacked is not None:
            cands.append(stacked)
    zoo = ZooRun(seed, split, view, cands)
    entries, selection = summarise([zoo])
    selection["served_online"] = gnn.entry["name"]
    selection["note"] = online_note(selection["served"], gnn.entry["name"])
    by_name = {m["name"]: m for m in entries}
    report: dict[str, Any] = {
        "task": "transaction risk: Order is_chargeback (node classification)",
        "seed": seed,
        "device": str(dev),
        "split": describe_split(split),
        "models": entries,
        "selection": selection,
        "ablation": {
            "graph_features": {
                "lightgbm": {
                    "without graph features": by_name["lightgbm"]["metrics"],
                    "with graph features": by_name["lightgbm+graph"]["metrics"],
                }
            }
            if "lightgbm" in by_name and "lightgbm+graph" in by_name
            else {}
        },
        "features": {"tabular": sorted(tab), "graph": sorted(gf)},
    }
    chosen = next(c for c in cands if c.entry["name"] == selection["served"])
    t0 = time.perf_counter()
    links = account_links(data, gnn.final, view, dev, truth_dir)
    links["seconds"] = round(time.perf_counter() - t0, 2)
    report["account_links"] = links
    return FraudRun(report, gnn.final, view, chosen.scores, zoo)


def online_note(served: str, online: str) -> str:
    """Why the stored scores and the online scores may come from two models."""
    return (
        f"stored scores come from {served} (best on valid); online order scoring and account "
        f"links use {online}, which scores a new order from its neighbourhood"
    )


def _features_spec(spec: ClassifySpec) -> ClassifySpec:
    """The GNN's own target inputs are the tabular ones passed as ``extra``; none twice."""
    from dataclasses import replace

    return replace(spec, features=())


def _prefixed(tab: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Tabular columns for the GNN: NaN → 0 plus a 'known' flag; signed log for scale."""
    out = {}
    for k, v in tab.items():
        out[f"tab_{k}"] = np.nan_to_num(v)
    return out


def _stack(feats: dict[str, np.ndarray]) -> np.ndarray:
    return np.stack([feats[k] for k in sorted(feats)], axis=1)


def _rules(inp: Any, feats: dict[str, np.ndarray]) -> Any:
    from gnn.node_zoo import Candidate, candidate_entry

    n = int(inp.own.shape[0])
    score = rule_score(feats, n)
    valid = score[inp.split.valid.eval.numpy()]
    return Candidate(candidate_entry("rules", inp, valid, score), valid, score)


def _curves(y: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    return {"pr_curve": pr_curve(y, score)}


__all__ = [
    "FRAUD_NODE_PROPERTIES",
    "FRAUD_SPEC",
    "FraudRun",
    "export_fraud_data",
    "export_property_data",
    "run_fraud",
    "train_and_evaluate_fraud",
]
