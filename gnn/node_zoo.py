"""The node-classification zoo: every family on one split, one metric code, chosen on valid.

A user's own graph gets the baselines a practitioner would try first beside the GNNs, so the
served model is never worse on valid than the simplest of them (GADBench, Tang et al. NeurIPS
2023: tree ensembles over neighbourhood aggregates beat most GNNs on fraud graphs):

* ``logreg`` — logistic regression on the node's own features (standardised, balanced classes);
* ``lightgbm`` — gradient-boosted trees on the node's own features;
* ``lightgbm+graph`` — the same trees plus ``gnn.node_features`` (degrees, neighbour and 2-hop
  aggregates, label-aware counts from the fold's training labels, PageRank, component size);
* ``mlp`` — the GNN's network with zero message-passing layers (what message passing adds);
* ``gnn-sage`` — heterogeneous GraphSAGE (``gnn.models.node_classifier``);
* ``bwgnn`` — Beta-wavelet band-pass filters per relation for heterophily/camouflage
  (``gnn.models.bwgnn``);
* ``stack`` — a logistic blend of the other models' scores, fitted on the valid period with
  5-fold cross-fitting, so its valid metric is out-of-fold like everyone else's is held-out.

Every family trains on the valid fold's training nodes with early stopping/rounds chosen on the
valid period, and the model that scores the test period is refit on the test fold (temporal
splits; a given split trains once). Selection is by valid PR-AUC (mean over seeds).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch_geometric.data import HeteroData

from gnn.classify import build_view, fit_and_score
from gnn.classify_metrics import binary_metrics, pr_curve
from gnn.classify_spec import NODE_MODELS, ClassifyError, ClassifySpec, TrainConfig
from gnn.classify_split import NodeSplit, node_split
from gnn.classify_views import View
from gnn.fraud.baselines import fit_trees
from gnn.models.bwgnn import BandPassClassifier
from gnn.models.node_classifier import NodeClassifier
from gnn.node_features import node_graph_features

BASELINES = ("logreg", "lightgbm")  # what the chosen model is measured against in the report
METRIC = "pr_auc"


@dataclass
class Candidate:
    """One model of the zoo on one seed: report entry, valid-period scores (``split.valid.eval``
    rows) and a score for every target node from the model that scores the test period."""

    entry: dict[str, Any]
    valid_scores: np.ndarray
    scores: np.ndarray
    model: Any | None = None


@dataclass
class ZooRun:
    """Every requested model on one seed, with the split and view they shared."""

    seed: int
    split: NodeSplit
    view: View
    candidates: list[Candidate]
    features: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # model -> why it did not run


@dataclass
class ZooInputs:
    """What every family reads: the split, the view, own features (``own``) and the trees'
    graph features per fold (``graph_valid``/``graph_test``; the same array for a given split)."""

    data: HeteroData
    spec: ClassifySpec
    split: NodeSplit
    view: View
    settings: TrainConfig
    seed: int
    device: torch.device
    own: np.ndarray
    graph_valid: np.ndarray | None = None
    graph_test: np.ndarray | None = None
    params: dict[str, Any] = field(default_factory=dict)  # a family's hyperparameters


def check_models(models: tuple[str, ...] | list[str] | None) -> list[str]:
    """The requested names in zoo order (all of them when ``None``); unknown → ``[E146]``."""
    if models is None:
        return list(NODE_MODELS)
    unknown = [m for m in models if m not in NODE_MODELS]
    if unknown:
        raise ClassifyError(
            f"unknown node-classification model {unknown[0]!r} (registered: "
            f"{', '.join(NODE_MODELS)})",
            code="E146",
        )
    return [m for m in NODE_MODELS if m in models]


def run_zoo(
    data: HeteroData,
    spec: ClassifySpec,
    settings: TrainConfig,
    seed: int,
    device: torch.device,
    models: list[str],
    tune: Any | None = None,
) -> ZooRun:
    """Every model in ``models`` on one seed (see the module docstring); with ``tune``
    (``trials``, ``time_budget_s``), each family's hyperparameters searched on valid first."""
    split = node_split(data, spec)
    for fold in (split.valid, split.test):
        if fold.train_y.unique().numel() < 2:
            raise ClassifyError(
                f"the {fold.name} fold's training {spec.target} nodes all have "
                f"{spec.label}={int(fold.train_y[0]) if fold.train_y.numel() else 'nothing'}: "
                "a classifier needs both classes among the training labels",
                code="E537",
            )
    view = build_view(data, spec)
    own = view.x[spec.target].double().numpy()
    inp = ZooInputs(data, spec, split, view, settings, seed, torch.device(device), own)
    graph_names: list[str] = []
    if "lightgbm+graph" in models:
        gv = node_graph_features(view, split.valid.train, split.valid.train_y)
        same = split.valid.train is split.test.train or torch.equal(
            split.valid.train, split.test.train
        )
        gt = gv if same else node_graph_features(view, split.test.train, split.test.train_y)
        graph_names = sorted(gv)
        inp.graph_valid = np.stack([gv[k] for k in graph_names], 1) if gv else None
        inp.graph_test = np.stack([gt[k] for k in graph_names], 1) if gt else None
    out = []
    for name in models:
        if name == "stack":
            continue
        out.append(run_family(name, inp, tune, len(models)))
    skipped = {}
    if "stack" in models:
        stacked = stack_candidates(inp, out)
        if stacked is not None:
            out.append(stacked)
        else:
            skipped["stack"] = "needs two base models and two positives in the valid period"
    n_own = own.shape[1]
    feats = {"own": [f"x{i}" for i in range(n_own)], "graph": graph_names}
    return ZooRun(seed, split, view, out, feats, skipped)


def run_family(name: str, inp: ZooInputs, tune: Any | None, families: int) -> Candidate:
    """One family, timed; tuned first when ``tune`` is set (its time budget shared evenly by
    the ``families`` that run)."""
    t0 = time.perf_counter()
    if tune is None:
        cand = FAMILIES[name](inp)
    else:
        budget = tune.time_budget_s / max(families, 1) if tune.time_budget_s else None
        cand = tune_family(name, inp, tune.trials, budget)
    cand.entry.setdefault("total_seconds", round(time.perf_counter() - t0, 2))
    return cand


def candidate_entry(
    name: str, inp: ZooInputs, valid: np.ndarray, scores: np.ndarray, **extra: Any
) -> dict[str, Any]:
    s = inp.split
    test = scores[s.test.eval.numpy()]
    return {
        "name": name,
        "is_gnn": False,
        "metrics": binary_metrics(s.test.eval_y.numpy(), test),
        "valid_metrics": binary_metrics(s.valid.eval_y.numpy(), valid),
        "pr_curve": pr_curve(s.test.eval_y.numpy(), test),
        **extra,
    }


def _logreg(inp: ZooInputs) -> Candidate:
    s = inp.split

    def model() -> Any:
        return make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(
                C=float(inp.params.get("C", 1.0)), class_weight="balanced", max_iter=2000
            ),
        )

    x = inp.own
    if x.shape[1] == 0:
        x = np.zeros((x.shape[0], 1))
    first = model().fit(x[s.valid.train.numpy()], s.valid.train_y.numpy())
    valid = first.predict_proba(x[s.valid.eval.numpy()])[:, 1]
    final = model().fit(x[s.test.train.numpy()], s.test.train_y.numpy())
    scores = final.predict_proba(x)[:, 1]
    return Candidate(candidate_entry("logreg", inp, valid, scores), valid, scores)


def _trees(name: str, xv: np.ndarray, xt: np.ndarray, inp: ZooInputs) -> Candidate:
    s = inp.split
    fitted = fit_trees(xv, s.valid, s.test, inp.seed, params=inp.params, x_test=xt)
    scores = np.asarray(fitted["model"].predict_proba(xt))[:, 1]
    valid = fitted["valid_scores"]
    entry = candidate_entry(
        name, inp, valid, scores, rounds=fitted["rounds"], params=fitted["params"]
    )
    return Candidate(entry, valid, scores)


def _lightgbm(inp: ZooInputs) -> Candidate:
    x = inp.own if inp.own.shape[1] else np.zeros((inp.own.shape[0], 1))
    return _trees("lightgbm", x, x, inp)


def _lightgbm_graph(inp: ZooInputs) -> Candidate:
    gv, gt = inp.graph_valid, inp.graph_test
    if gv is None or gt is None:
        return _trees("lightgbm+graph", inp.own, inp.own, inp)
    return _trees(
        "lightgbm+graph", np.concatenate([inp.own, gv], 1), np.concatenate([inp.own, gt], 1), inp
    )


def _neural(
    name: str, model_cls: type[Any], layers: int | None = None
) -> Callable[[ZooInputs], Candidate]:
    def run(inp: ZooInputs) -> Candidate:
        settings = dataclasses.replace(inp.settings, **inp.params)
        if layers is not None:
            settings = dataclasses.replace(settings, num_layers=layers)
        res = fit_and_score(
            inp.data, inp.spec, inp.view, settings, inp.seed, inp.device, model_cls, name
        )
        res.entry["is_gnn"] = settings.num_layers > 0
        res.entry["pr_curve"] = pr_curve(
            inp.split.test.eval_y.numpy(), res.scores[inp.split.test.eval.numpy()]
        )
        return Candidate(res.entry, res.valid_scores, res.scores, res.final.model)

    return run


def stack_candidates(inp: ZooInputs, base: list[Candidate]) -> Candidate | None:
    """Logistic blend of the base models' logits, cross-fitted on the valid period."""
    s = inp.split
    y = s.valid.eval_y.numpy().astype(int)
    folds = min(5, int(y.sum()), int((1 - y).sum()))
    if len(base) < 2 or folds < 2:
        return None
    zv = np.stack([_logit(c.valid_scores) for c in base], 1)
    za = np.stack([_logit(c.scores) for c in base], 1)
    oof = np.zeros(len(y))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=inp.seed)
    for tr, te in cv.split(zv, y):
        oof[te] = _blender().fit(zv[tr], y[tr]).predict_proba(zv[te])[:, 1]
    blend = _blender().fit(zv, y)
    scores = blend.predict_proba(za)[:, 1]
    weights = dict(
        zip([c.entry["name"] for c in base], blend[-1].coef_[0].round(4).tolist(), strict=True)
    )
    entry = candidate_entry(
        "stack", inp, oof, scores, inputs=[c.entry["name"] for c in base], weights=weights
    )
    entry["valid_protocol"] = f"{folds}-fold out-of-fold on the valid period"
    entry["blend"] = True
    return Candidate(entry, oof, scores)


def _blender() -> Any:
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


FAMILIES: dict[str, Callable[[ZooInputs], Candidate]] = {
    "logreg": _logreg,
    "lightgbm": _lightgbm,
    "lightgbm+graph": _lightgbm_graph,
    "mlp": _neural("mlp", NodeClassifier, layers=0),
    "gnn-sage": _neural("gnn-sage", NodeClassifier),
    "bwgnn": _neural("bwgnn", BandPassClassifier),
}


def _tree_space(trial: Any) -> dict[str, Any]:
    return {
        "num_leaves": trial.suggest_int("num_leaves", 7, 127, log=True),
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.2, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 100, log=True),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.4, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
    }


def _neural_space(layers: bool) -> Callable[[Any], dict[str, Any]]:
    def space(trial: Any) -> dict[str, Any]:
        params = {
            "dim": trial.suggest_categorical("dim", [32, 64, 128]),
            "lr": trial.suggest_float("lr", 1e-3, 2e-2, log=True),
            "dropout": trial.suggest_float("dropout", 0.0, 0.5),
            "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-3, log=True),
        }
        if layers:
            params["num_layers"] = trial.suggest_int("num_layers", 1, 3)
        return params

    return space


# What ``tune`` searches per family (bounded; the defaults are always the first trial).
SPACES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "logreg": lambda trial: {"C": trial.suggest_float("C", 1e-3, 1e2, log=True)},
    "lightgbm": _tree_space,
    "lightgbm+graph": _tree_space,
    "mlp": _neural_space(layers=False),
    "gnn-sage": _neural_space(layers=True),
    "bwgnn": _neural_space(layers=True),
}


def tune_family(name: str, inp: ZooInputs, trials: int, budget_s: float | None) -> Candidate:
    """Optuna TPE (seeded) over ``SPACES[name]``, maximising valid PR-AUC; the best trial's
    fitted candidate is kept (no refit), with the search recorded in its entry."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    fitted: dict[int, Candidate] = {}

    def objective(trial: Any) -> float:
        params = SPACES[name](trial) if trial.number > 0 else {}
        cand = FAMILIES[name](dataclasses.replace(inp, params=params))
        fitted[trial.number] = cand
        value = cand.entry["valid_metrics"].get(METRIC, math.nan)
        return float(value) if math.isfinite(value) else -1.0

    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=inp.seed)
    )
    study.optimize(objective, n_trials=trials, timeout=budget_s)
    best = study.best_trial
    cand = fitted[best.number]
    cand.entry["tuned"] = {
        "params": best.params if best.number > 0 else "defaults",
        "trials": len(study.trials),
        "best_valid": round(float(best.value or 0.0), 4),
        "sampler": f"TPE, seed {inp.seed}",
    }
    return cand


def summarise(runs: list[ZooRun]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per model: metrics of the first seed's run, or mean and std over seeds; and the
    selection (best mean valid PR-AUC, its margin over the best baseline)."""
    names = [c.entry["name"] for c in runs[0].candidates]
    entries = []
    for name in names:
        per_seed = [next(c.entry for c in r.candidates if c.entry["name"] == name) for r in runs]
        entry = dict(per_seed[0])
        if len(runs) > 1:
            for key in ("metrics", "valid_metrics"):
                entry[key], entry[f"{key}_std"] = _mean_std([e[key] for e in per_seed])
            entry["seeds"] = [r.seed for r in runs]
        entries.append(entry)
    valid = {e["name"]: e["valid_metrics"].get(METRIC, math.nan) for e in entries}
    best = max(entries, key=lambda e: _finite(valid[e["name"]]))
    bases = [e for e in entries if e["name"] in BASELINES]
    selection: dict[str, Any] = {
        "metric": f"valid {METRIC}" + (f" (mean of {len(runs)} seeds)" if len(runs) > 1 else ""),
        "best_on_valid": best["name"],
        "served": best["name"],
        "valid": valid[best["name"]],
        "test": best["metrics"].get(METRIC),
    }
    if bases:
        base = max(bases, key=lambda e: _finite(valid[e["name"]]))
        selection["best_baseline_on_valid"] = base["name"]
        selection["valid_margin_over_baseline"] = round(
            valid[best["name"]] - valid[base["name"]], 4
        )
        selection["test_margin_over_baseline"] = round(
            best["metrics"][METRIC] - base["metrics"][METRIC], 4
        )
    return entries, selection


def _finite(v: float) -> float:
    return v if isinstance(v, float) and math.isfinite(v) else -math.inf


def _mean_std(rows: list[dict[str, float]]) -> tuple[dict[str, float], dict[str, float]]:
    mean, std = {}, {}
    for key in rows[0]:
        vals = np.asarray([r.get(key, math.nan) for r in rows], dtype=np.float64)
        mean[key] = round(float(np.mean(vals)), 4)
        std[key] = round(float(np.std(vals)), 4)
    return mean, std
