"""Node classification on any label of any ``HeteroData``, declared by a ``ClassifySpec``.

Two splits:

* **temporal** (the target has a time): cuts ``t1 < t2`` at quantiles of the target times among
  nodes whose label has *matured* (``time <= data end - label_delay_days``: a chargeback can
  arrive up to 60 days after the order, so younger orders are not yet labelled). A model trained
  at a cut sees nodes older than ``cut - gap_days`` and a positive label only if it arrived
  before the cut (``label_time < cut``); later positives count as negatives then, exactly what
  a fraud team knows on that day. Valid fold: cut ``t1``, evaluated on ``[t1, t2)``; test fold:
  refit at ``t2`` for the epochs chosen on valid, evaluated on ``[t2, mature end]``.
* **given**: a ``split`` property with ``train`` / ``valid`` / ``test`` (published benchmark
  splits); early stopping on valid, test scored by the same model.

Graph views (``gnn.classify_views``): with a temporal split, every target node is scored on a
*causal* graph where it only hears from target nodes older than itself (through the entities
they share), so one forward pass is time-correct for every node; with a given split, the full
heterogeneous graph. ``check_no_leakage`` raises on a training edge, node or label from after
the cut. Class imbalance: ``BCEWithLogits`` with ``pos_weight = negatives / positives``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from cartograph.errors import CartographError
from gnn.classify_metrics import binary_metrics
from gnn.classify_views import View, causal_view, full_view, target_features
from gnn.device import autocast, seed_everything
from gnn.early_stop import EarlyStopping
from gnn.message_graph import LeakageError
from gnn.models.node_classifier import NodeClassifier

DAY = 86_400.0


class ClassifyError(CartographError):
    """The graph lacks what the classification spec names (label, time, split values)."""

    code = "E530"


@dataclass(frozen=True)
class ClassifySpec:
    """What to classify and how to split.

    Args:
        target: node label to classify. label: its 0/1 property.
        features: target properties used as inputs; ``None``: ``x`` if the export made one,
            else every numeric property except label, label time, time and split.
        split: ``"temporal"`` or ``"given"``.
        time: target property holding epoch seconds (temporal split).
        label_time: property holding when a positive label arrived; ``None``: a label counts
            as known ``label_delay_days`` after the node's time.
        gap_days: training nodes end this long before the cut (guards against near-cut leaks).
        label_delay_days: the longest a label can take to arrive; evaluation nodes must be at
            least this old at the data's end.
        valid_frac, test_frac: shares of matured target nodes in the two evaluation periods.
        split_property: the ``train``/``valid``/``test`` property of a given split.
        max_links: causal view: most recent older neighbours per shared entity (bounds the
            fan-out of popular products and carrier IPs).
    """

    target: str
    label: str
    features: tuple[str, ...] | None = None
    split: str = "temporal"
    time: str = "time"
    label_time: str | None = None
    gap_days: float = 0.0
    label_delay_days: float = 60.0
    valid_frac: float = 0.15
    test_frac: float = 0.15
    split_property: str = "split"
    max_links: int = 10


@dataclass(frozen=True)
class TrainSettings:
    """Optimisation settings; defaults were chosen on the valid fold (docs/gnn-fraud.md).

    Args:
        dim, num_layers, dropout: model size (see ``NodeClassifier``).
        lr, weight_decay: AdamW.
        max_epochs, patience: early stopping on valid PR-AUC (full-batch epochs).
        pos_weight: ``"balanced"`` (negatives / positives of the fold) or a number.
        amp: bfloat16 autocast on CUDA.
    """

    dim: int = 64
    num_layers: int = 2
    dropout: float = 0.2
    lr: float = 0.005
    weight_decay: float = 1e-4
    max_epochs: int = 80
    patience: int = 15
    pos_weight: str | float = "balanced"
    amp: bool = True


@dataclass
class Fold:
    """Nodes a model is trained on (with the labels known then) and the nodes it is scored on."""

    name: str
    cut: float
    train: Tensor
    train_y: Tensor
    eval: Tensor
    eval_y: Tensor


@dataclass
class NodeSplit:
    """The two folds plus the numbers the report shows."""

    valid: Fold
    test: Fold
    info: dict[str, Any] = field(default_factory=dict)


def labels(data: HeteroData, spec: ClassifySpec) -> Tensor:
    """0/1 float labels of the target (missing → 0: no chargeback reported)."""
    store = data[spec.target]
    if spec.label not in store:
        raise ClassifyError(f"{spec.target} has no label property {spec.label!r}", code="E531")
    return (torch.nan_to_num(store[spec.label].double()) > 0).double()


def node_split(data: HeteroData, spec: ClassifySpec) -> NodeSplit:
    """Folds for ``spec.split`` (see the module docstring)."""
    if spec.split == "given":
        return _given_split(data, spec)
    if spec.split != "temporal":
        raise ClassifyError(f"unknown split {spec.split!r}: temporal or given", code="E532")
    store, y = data[spec.target], labels(data, spec)
    if spec.time not in store:
        raise ClassifyError(f"{spec.target} has no time property {spec.time!r}", code="E533")
    t = store[spec.time].double()
    arrival = _arrival(store, spec, t, y)
    end = float(
        torch.nan_to_num(torch.cat([t, arrival[torch.isfinite(arrival)]]), nan=-math.inf).max()
    )
    mature_end = end - spec.label_delay_days * DAY
    mature = torch.isfinite(t) & (t <= mature_end)
    if int(mature.sum()) < 3:
        raise ClassifyError("too few matured target nodes for a temporal split", code="E534")
    q = torch.tensor([1 - spec.valid_frac - spec.test_frac, 1 - spec.test_frac], dtype=t.dtype)
    t1, t2 = torch.quantile(t[mature], q).tolist()
    folds = [
        _temporal_fold(name, cut, stop, t, y, arrival, spec)
        for name, cut, stop in (("valid", t1, t2), ("test", t2, mature_end + 1.0))
    ]
    info = {
        "kind": "temporal, label delay",
        "t1": t1,
        "t2": t2,
        "mature_end": mature_end,
        "gap_days": spec.gap_days,
        "label_delay_days": spec.label_delay_days,
        "label_time": spec.label_time,
    }
    return NodeSplit(folds[0], folds[1], info)


def _arrival(store: Any, spec: ClassifySpec, t: Tensor, y: Tensor) -> Tensor:
    """When each positive label became known (``inf`` for negatives)."""
    if spec.label_time is not None and spec.label_time in store:
        at = store[spec.label_time].double()
        at = torch.where(torch.isfinite(at), at, t + spec.label_delay_days * DAY)
    else:
        at = t + spec.label_delay_days * DAY
    return torch.where(y > 0, at, torch.full_like(at, math.inf))


def _temporal_fold(
    name: str, cut: float, stop: float, t: Tensor, y: Tensor, arrival: Tensor, spec: ClassifySpec
) -> Fold:
    train = torch.nonzero(t < cut - spec.gap_days * DAY).flatten()
    ev = torch.nonzero((t >= cut) & (t < stop)).flatten()
    known = (arrival[train] < cut).double()  # positives reported by the cut; the rest look clean
    return Fold(name, cut, train, known, ev, y[ev])


def _given_split(data: HeteroData, spec: ClassifySpec) -> NodeSplit:
    store, y = data[spec.target], labels(data, spec)
    if f"{spec.split_property}__values" not in store:
        raise ClassifyError(
            f"{spec.target} has no text property {spec.split_property!r}", code="E535"
        )
    codes, values = store[spec.split_property], list(store[f"{spec.split_property}__values"])
    idx = {}
    for part in ("train", "valid", "test"):
        if part not in values:
            raise ClassifyError(
                f"no {spec.target} node has {spec.split_property}={part!r}", code="E536"
            )
        idx[part] = torch.nonzero(codes == values.index(part)).flatten()
    tr = idx["train"]
    folds = [Fold(p, math.inf, tr, y[tr], idx[p], y[idx[p]]) for p in ("valid", "test")]
    counts = {p: int(v.numel()) for p, v in idx.items()}
    return NodeSplit(
        folds[0], folds[1], {"kind": "given", "property": spec.split_property, "nodes": counts}
    )


def check_no_leakage(view: View, fold: Fold, spec: ClassifySpec) -> None:
    """Raise ``LeakageError`` if a training node, edge or positive label is from after the cut.

    On the causal view every edge must also run from an older node to a younger one."""
    if not math.isfinite(fold.cut):
        return  # a given split has no time to leak across
    problems = []
    t = view.time
    late = int((~(t[fold.train] < fold.cut)).sum())
    if late:
        problems.append(f"{late} training nodes at or after the cut")
    if view.label_arrival is not None:
        arrived = view.label_arrival[fold.train][fold.train_y > 0]
        if int((~(arrived < fold.cut)).sum()):
            problems.append("training labels that arrived after the cut")
    for et, ei in view.edges.items():
        if et[0] == et[2] == view.target and ei.numel() and int((t[ei[0]] >= t[ei[1]]).sum()):
            problems.append(f"{et} edges from a node to an older one")
    if problems:
        raise LeakageError("classification fold leaks: " + "; ".join(problems), code="E511")


@dataclass
class FitResult:
    """A trained classifier and how it got there."""

    model: NodeClassifier
    curve: list[dict[str, float]]
    best_epoch: int
    seconds_per_epoch: float


def build_view(data: HeteroData, spec: ClassifySpec, extra: Tensor | None = None) -> View:
    """The view for ``spec.split`` with the target's features (plus ``extra`` columns)."""
    x, _ = target_features(data, spec)
    if extra is not None:
        x = torch.cat([x, extra.float()], 1)
    if spec.split == "given":
        return full_view(data, spec, x)
    store, y = data[spec.target], labels(data, spec)
    arrival = _arrival(store, spec, store[spec.time].double(), y)
    return causal_view(data, spec, x, arrival)


def new_model(view: View, settings: TrainSettings, train_rows: Tensor) -> NodeClassifier:
    """A fresh classifier for ``view`` whose input scaling is fitted on the training rows."""
    x_dims = {t: int(view.x[t].shape[1]) if t in view.x else 0 for t in view.num_nodes}
    model = NodeClassifier(
        view.target,
        x_dims,
        view.num_nodes,
        list(view.edges),
        settings.dim,
        settings.num_layers,
        settings.dropout,
    )
    for t, scale in model.scale.items():
        rows = train_rows if t == view.target else slice(None)
        scale.fit(view.x[t][rows])  # type: ignore[operator]
    return model


def rebuild_classifier(config: dict[str, Any], state_dict: dict[str, Tensor]) -> NodeClassifier:
    """The inverse of ``(model.config(), model.state_dict())``: for artefacts loaded with
    ``torch.load(weights_only=True)``."""
    cfg = dict(config)
    cfg["edge_types"] = [tuple(et) for et in cfg["edge_types"]]
    model = NodeClassifier(**cfg)
    model.load_state_dict(state_dict)
    return model.eval()


def fit(
    view: View,
    fold: Fold,
    spec: ClassifySpec,
    settings: TrainSettings,
    device: torch.device,
    seed: int,
    eval_view: View | None = None,
    epochs: int | None = None,
) -> FitResult:
    """Train on ``fold.train`` (leakage-checked); early-stop on ``fold.eval`` PR-AUC unless
    ``epochs`` is fixed (the refit), keeping the best epoch's weights."""
    seed_everything(seed)
    train_view = view.subgraph(fold.train) if spec.split == "temporal" else view
    check_no_leakage(train_view, _renumbered(fold, train_view), spec)
    rows = torch.arange(fold.train.numel()) if spec.split == "temporal" else fold.train
    model = new_model(train_view, settings, rows).to(device)
    tv, ev = train_view.to(device), (eval_view or view).to(device)
    y = fold.train_y.float().to(device)
    rows_d = rows.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    pw = torch.tensor(_pos_weight(fold.train_y, settings.pos_weight), device=device)
    curve: list[dict[str, float]] = []
    stopper, spent = EarlyStopping(settings.patience), 0.0
    for epoch in range(1, (epochs or settings.max_epochs) + 1):
        t0 = time.perf_counter()
        model.train()
        with autocast(device, settings.amp):
            logits = model(tv.x, tv.edges)[rows_d].float()
            loss = F.binary_cross_entropy_with_logits(logits, y, pos_weight=pw)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        spent += time.perf_counter() - t0
        row = {"epoch": epoch, "loss": round(float(loss.detach()), 6)}
        if epochs is None:
            score = predict(model, ev, device)[fold.eval].numpy()
            row["valid_pr_auc"] = pr = binary_metrics(fold.eval_y.numpy(), score)["pr_auc"]
            stopper.update(epoch, pr, model)
        curve.append(row)
        if epochs is None and stopper.should_stop:
            break
    best_epoch = stopper.restore(model, len(curve))
    return FitResult(model.eval(), curve, best_epoch, round(spent / max(len(curve), 1), 4))


def _renumbered(fold: Fold, train_view: View) -> Fold:
    """``fold`` with training rows in the numbering of ``train_view`` (a subgraph)."""
    if train_view.rows.numel() == 0:
        return fold
    rows = torch.arange(train_view.rows.numel())
    return dataclasses.replace(fold, train=rows)


def _pos_weight(y: Tensor, setting: str | float) -> float:
    if setting != "balanced":
        return float(setting)
    pos = float(y.sum())
    return (float(y.numel()) - pos) / pos if pos > 0 else 1.0


@torch.no_grad()
def predict(model: NodeClassifier, view: View, device: torch.device) -> Tensor:
    """Probabilities for every target node of ``view`` (CPU float32)."""
    model.eval()
    v = view.to(device)
    with autocast(device, True):
        logits = model(v.x, v.edges)
    return torch.sigmoid(logits.float()).cpu()


def score_nodes(
    model: NodeClassifier, data: HeteroData, view: View, device: torch.device | str = "cpu"
) -> tuple[list[str], np.ndarray]:
    """``(keys, scores)`` for every node of the target label: what is written back to Neo4j."""
    scores = predict(model, view, torch.device(device)).numpy()
    keys = list(data[view.target].node_key) if "node_key" in data[view.target] else []
    return keys, scores


def train_and_evaluate_classifier(
    data: HeteroData,
    spec: ClassifySpec,
    settings: TrainSettings | None = None,
    seed: int = 7,
    device: torch.device | str = "cpu",
    extra: Tensor | None = None,
) -> tuple[dict[str, Any], FitResult, View]:
    """Fit on the valid fold, refit on the test fold (temporal) and report both periods.

    Returns the report entry, the model that scores the test period, and the view it used."""
    settings = settings or TrainSettings()
    device = torch.device(device)
    split = node_split(data, spec)
    view = build_view(data, spec, extra)
    t0 = time.perf_counter()
    res = fit(view, split.valid, spec, settings, device, seed)
    valid_scores = predict(res.model, view, device)
    final = res
    if spec.split == "temporal":
        final = fit(view, split.test, spec, settings, device, seed, epochs=res.best_epoch)
    test_scores = predict(final.model, view, device)
    entry = {
        "name": "gnn-sage",
        "is_gnn": True,
        "metrics": binary_metrics(split.test.eval_y.numpy(), test_scores[split.test.eval].numpy()),
        "valid_metrics": binary_metrics(
            split.valid.eval_y.numpy(), valid_scores[split.valid.eval].numpy()
        ),
        "best_epoch": res.best_epoch,
        "curve": res.curve,
        "seconds_per_epoch": res.seconds_per_epoch,
        "total_seconds": round(time.perf_counter() - t0, 2),
        "settings": dataclasses.asdict(settings),
        "relations": ["-".join(et) for et in view.edges],
        "model": repr(final.model),
    }
    return entry, final, view


def describe_split(split: NodeSplit) -> dict[str, Any]:
    """Counts and positives per period for the report."""
    out = dict(split.info)
    for key in ("t1", "t2", "mature_end"):
        if key in out:
            out[f"{key}_iso"] = _iso(out[key])
    out["periods"] = {
        "train@t1": _count(split.valid.train_y),
        "valid": _count(split.valid.eval_y),
        "train@t2": _count(split.test.train_y),
        "test": _count(split.test.eval_y),
    }
    return out


def _count(y: Tensor) -> dict[str, int]:
    return {"nodes": int(y.numel()), "positives": int(y.sum())}


def _iso(t: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, tz=UTC).isoformat()
