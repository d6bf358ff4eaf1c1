"""Node classification on any label of any ``HeteroData``, declared by a ``ClassifySpec``.

The folds (temporal with label delay, or a given ``split`` property) and the leakage check live
in ``gnn.classify_split``; the spec and ``TrainConfig`` in ``gnn.classify_spec``. Here: the model
is trained on the valid fold with early stopping on PR-AUC (``gnn.early_stop``), refit on the
test fold for the chosen epochs (temporal), and scored.

Graph views (``gnn.classify_views``): with a temporal split, every target node is scored on a
*causal* graph where it only hears from target nodes older than itself (through the entities
they share), so one forward pass is time-correct for every node; with a given split, the full
heterogeneous graph. Class imbalance: ``BCEWithLogits`` with ``pos_weight = negatives /
positives``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from gnn.classify_metrics import binary_metrics
from gnn.classify_spec import ClassifySpec, TrainConfig
from gnn.classify_split import (
    Fold,
    check_no_leakage,
    label_arrival,
    labels,
    node_split,
)
from gnn.classify_views import View, causal_view, full_view, target_features
from gnn.device import autocast, seed_everything
from gnn.early_stop import EarlyStopping
from gnn.models.node_classifier import NodeClassifier


@dataclass
class FitResult:
    """A trained classifier and how it got there."""

    model: Any  # NodeClassifier or another module with its interface
    curve: list[dict[str, float]]
    best_epoch: int
    seconds_per_epoch: float
    stopped: str = "max epochs"  # or "patience", "time budget", "fixed epochs" (a refit)


def build_view(data: HeteroData, spec: ClassifySpec, extra: Tensor | None = None) -> View:
    """The view for ``spec.split`` with the target's features (plus ``extra`` columns)."""
    x, _ = target_features(data, spec)
    if extra is not None:
        x = torch.cat([x, extra.float()], 1)
    if spec.split == "given":
        return full_view(data, spec, x)
    store, y = data[spec.target], labels(data, spec)
    arrival = label_arrival(store, spec, store[spec.time].double(), y)
    return causal_view(data, spec, x, arrival)


def new_model(
    view: View, settings: TrainConfig, train_rows: Tensor, model_cls: type[Any] = NodeClassifier
) -> Any:
    """A fresh classifier for ``view`` whose input scaling is fitted on the training rows
    (``NodeClassifier`` or any module with its constructor, e.g. ``BandPassClassifier``)."""
    x_dims = {t: int(view.x[t].shape[1]) if t in view.x else 0 for t in view.num_nodes}
    model = model_cls(
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
        scale.fit(view.x[t][rows])
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
    settings: TrainConfig,
    device: torch.device,
    seed: int,
    eval_view: View | None = None,
    epochs: int | None = None,
    model_cls: type[Any] = NodeClassifier,
) -> FitResult:
    """Train on ``fold.train`` (leakage-checked); early-stop on ``fold.eval`` PR-AUC unless
    ``epochs`` is fixed (the refit), keeping the best epoch's weights."""
    seed_everything(seed)
    train_view = view.subgraph(fold.train) if spec.split == "temporal" else view
    check_no_leakage(train_view, _renumbered(fold, train_view), spec)
    rows = torch.arange(fold.train.numel()) if spec.split == "temporal" else fold.train
    model = new_model(train_view, settings, rows, model_cls).to(device)
    tv, ev = train_view.to(device), (eval_view or view).to(device)
    y = fold.train_y.float().to(device)
    rows_d = rows.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    pw = torch.tensor(_pos_weight(fold.train_y, settings.pos_weight), device=device)
    curve: list[dict[str, float]] = []
    stopper, spent = EarlyStopping(settings.patience), 0.0
    start, budget = time.perf_counter(), settings.time_budget_s
    stopped = "fixed epochs" if epochs is not None else "max epochs"
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
            stopped = "patience"
            break
        if budget is not None and time.perf_counter() - start >= budget:
            stopped = "time budget"  # a refit's fixed epochs are cut too: it bounds every fit
            break
    best_epoch = stopper.restore(model, len(curve))
    per_epoch = round(spent / max(len(curve), 1), 4)
    return FitResult(model.eval(), curve, best_epoch, per_epoch, stopped)


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
def predict(model: Any, view: View, device: torch.device) -> Tensor:
    """Probabilities for every target node of ``view`` (CPU float32)."""
    model.eval()
    v = view.to(device)
    with autocast(device, True):
        logits = model(v.x, v.edges)
    return torch.sigmoid(logits.float()).cpu()


def score_nodes(
    model: Any, data: HeteroData, view: View, device: torch.device | str = "cpu"
) -> tuple[list[str], np.ndarray]:
    """``(keys, scores)`` for every node of the target label: what is written back to Neo4j."""
    scores = predict(model, view, torch.device(device)).numpy()
    keys = list(data[view.target].node_key) if "node_key" in data[view.target] else []
    return keys, scores


@dataclass
class NeuralRun:
    """One neural classifier on a split: its report entry, the model that scores the test
    period, and the scores the zoo compares and stacks (valid rows; every target node)."""

    entry: dict[str, Any]
    final: FitResult
    valid_scores: np.ndarray
    scores: np.ndarray


def fit_and_score(
    data: HeteroData,
    spec: ClassifySpec,
    view: View,
    settings: TrainConfig,
    seed: int,
    device: torch.device,
    model_cls: type[Any] = NodeClassifier,
    name: str = "gnn-sage",
) -> NeuralRun:
    """Fit on the valid fold (early stopping), refit on the test fold for the chosen epochs
    (temporal), and score both periods."""
    split = node_split(data, spec)
    t0 = time.perf_counter()
    res = fit(view, split.valid, spec, settings, device, seed, model_cls=model_cls)
    valid_all = predict(res.model, view, device).numpy()
    final = res
    if spec.split == "temporal":
        final = fit(
            view, split.test, spec, settings, device, seed, epochs=res.best_epoch,
            model_cls=model_cls,
        )  # fmt: skip
    scores = predict(final.model, view, device).numpy()
    valid_scores = valid_all[split.valid.eval.numpy()]
    entry = {
        "name": name,
        "is_gnn": settings.num_layers > 0,
        "metrics": binary_metrics(split.test.eval_y.numpy(), scores[split.test.eval.numpy()]),
        "valid_metrics": binary_metrics(split.valid.eval_y.numpy(), valid_scores),
        "best_epoch": res.best_epoch,
        "stopped": res.stopped,
        **({"test_refit_stopped": final.stopped} if final is not res else {}),
        "curve": res.curve,
        "seconds_per_epoch": res.seconds_per_epoch,
        "total_seconds": round(time.perf_counter() - t0, 2),
        "settings": dataclasses.asdict(settings),
        "relations": ["-".join(et) for et in view.edges],
        "model": repr(final.model),
    }
    return NeuralRun(entry, final, valid_scores, scores)


def train_and_evaluate_classifier(
    data: HeteroData,
    spec: ClassifySpec,
    settings: TrainConfig | None = None,
    seed: int = 7,
    device: torch.device | str = "cpu",
    extra: Tensor | None = None,
) -> tuple[dict[str, Any], FitResult, View]:
    """The GraphSAGE classifier on its own view: report entry, test-period model, view."""
    view = build_view(data, spec, extra)
    run = fit_and_score(data, spec, view, settings or TrainConfig(), seed, torch.device(device))
    return run.entry, run.final, view
