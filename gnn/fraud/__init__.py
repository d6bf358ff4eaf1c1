"""Fraud risk on the marketplace graph: orders that end in a chargeback, accounts of one actor.

``train_and_evaluate_fraud`` runs, on one temporal split with label delay (``gnn.classify``):
the analysts' rule playbook, LightGBM on tabular order features, LightGBM with time-correct
graph features (``gnn.graph_features``), and the causal heterogeneous GNN with the same inputs;
then the account-link task (``gnn.fraud.links``). Every model sees the same periods, labels
known at each cut, seed and metrics. See docs/gnn-fraud.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch_geometric.data import HeteroData

from gnn.classify import FitResult, train_and_evaluate_classifier
from gnn.classify_data import export_property_data
from gnn.classify_metrics import binary_metrics, pr_curve
from gnn.classify_spec import ClassifySpec, TrainConfig
from gnn.classify_split import NodeSplit, describe_split, node_split
from gnn.classify_views import View
from gnn.device import pick_device
from gnn.fraud.baselines import fit_trees, rule_score
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
) -> FraudRun:
    """Every model on one split; ``truth_dir`` (optional) only scores the account links."""
    dev = pick_device(str(device) if device is not None else None)
    split = node_split(data, spec)
    n = int(data[spec.target].num_nodes)
    tab = order_tabular(data, spec.target)
    gf = graph_features(
        data,
        GraphFeatureConfig(event=spec.target, label=spec.label, label_time=spec.label_time or ""),
    )
    models: list[dict[str, Any]] = [_rules(split, {**tab, **gf}, n)]
    x_tab, x_all = _stack(tab), _stack({**tab, **gf})
    for name, x in (("lightgbm", x_tab), ("lightgbm+graph", x_all)):
        models.append(_trees(name, x, split, seed))
    extra, _ = feature_matrix({**gf, **_prefixed(tab)})
    entry, gnn, view = train_and_evaluate_classifier(
        data, _features_spec(spec), settings, seed, dev, extra=extra
    )
    entry["name"] = "gnn-sage+graph"
    test_scores = _gnn_scores(gnn, view, split, dev)
    entry.update(_curves(split.test.eval_y.numpy(), test_scores))
    models.append(entry)
    baselines = [m for m in models if not m["is_gnn"]]
    best_base = max(baselines, key=lambda m: m["valid_metrics"]["pr_auc"])
    report: dict[str, Any] = {
        "task": "transaction risk: Order is_chargeback (node classification)",
        "seed": seed,
        "device": str(dev),
        "split": describe_split(split),
        "models": models,
        "selection": {
            "metric": "valid pr_auc",
            "best_baseline_on_valid": best_base["name"],
            "best_overall_on_valid": max(models, key=lambda m: m["valid_metrics"]["pr_auc"])[
                "name"
            ],
        },
        "ablation": {
            "graph_features": {
                "trees_without": models[1]["metrics"],
                "trees_with": models[2]["metrics"],
            }
        },
        "features": {"tabular": sorted(tab), "graph": sorted(gf)},
    }
    t0 = time.perf_counter()
    links = account_links(data, gnn, view, dev, truth_dir)
    links["seconds"] = round(time.perf_counter() - t0, 2)
    report["account_links"] = links
    return FraudRun(report, gnn, view)


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


def _rules(split: NodeSplit, feats: dict[str, np.ndarray], n: int) -> dict[str, Any]:
    score = rule_score(feats, n)
    v, t = split.valid, split.test
    return {
        "name": "rules",
        "is_gnn": False,
        "metrics": binary_metrics(t.eval_y.numpy(), score[t.eval.numpy()]),
        "valid_metrics": binary_metrics(v.eval_y.numpy(), score[v.eval.numpy()]),
        **_curves(t.eval_y.numpy(), score[t.eval.numpy()]),
    }


def _trees(name: str, x: np.ndarray, split: NodeSplit, seed: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    fitted = fit_trees(x, split.valid, split.test, seed)
    return {
        "name": name,
        "is_gnn": False,
        "metrics": binary_metrics(split.test.eval_y.numpy(), fitted["test_scores"]),
        "valid_metrics": binary_metrics(split.valid.eval_y.numpy(), fitted["valid_scores"]),
        "rounds": fitted["rounds"],
        "params": fitted["params"],
        "total_seconds": round(time.perf_counter() - t0, 2),
        **_curves(split.test.eval_y.numpy(), fitted["test_scores"]),
    }


def _gnn_scores(gnn: FitResult, view: View, split: NodeSplit, dev: torch.device) -> np.ndarray:
    from gnn.classify import predict

    return predict(gnn.model, view, dev)[split.test.eval].numpy()


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
