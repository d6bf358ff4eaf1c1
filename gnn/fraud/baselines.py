"""Non-GNN fraud baselines: the analysts' rule playbook and gradient-boosted trees.

Trees follow the GNN's protocol: early stopping on the valid period (PR-AUC) at cut ``t1``, then
a refit at cut ``t2`` for the chosen number of rounds, scored on the test period.
"""

from __future__ import annotations

import os
from typing import Any

import lightgbm as lgb
import numpy as np

from gnn.classify_split import Fold

# The playbook: each rule an analyst would write, with the points it adds to a risk score.
RULES: tuple[tuple[str, float, float], ...] = (
    ("users_per_Card", 2.0, 3.0),  # card shared by 2+ accounts
    ("users_per_Device", 3.0, 2.0),  # device shared by 3+ accounts
    ("users_per_Address", 3.0, 1.0),  # drop address of 3+ accounts
    ("component_users", 3.0, 2.0),  # ring of 3+ linked accounts
    ("Card_orders_24h", 2.0, 1.0),  # card velocity
    ("Device_orders_24h", 2.0, 1.0),  # device velocity
    ("known_bad_Card", 1.0, 3.0),  # card with a reported chargeback
    ("new_Device_for_user", 1.0, 1.0),  # established account, new device
)
TREE_PARAMS: dict[str, Any] = {
    "num_leaves": 31,
    "learning_rate": 0.05,
    "min_child_samples": 10,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "scale_pos_weight": 10.0,
}


# Most points an order can collect (every rule plus the young-account term's 2): scores are
# divided by it so the playbook, if it wins on valid, writes a risk in [0, 1] like every model.
MAX_POINTS = sum(points for _, _, points in RULES) + 2.0


def rule_score(feats: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Points from every triggered rule, plus a tiny account-age tie-breaker (younger first),
    as a share of ``MAX_POINTS``."""
    score = np.zeros(n)
    for name, threshold, points in RULES:
        if name in feats:
            score += points * (np.nan_to_num(feats[name]) >= threshold)
    if "account_age_days" in feats:
        age = np.nan_to_num(feats["account_age_days"], nan=1e4)
        score += points_for_young(age)
    return score / MAX_POINTS


def points_for_young(age_days: np.ndarray) -> np.ndarray:
    """One point for an account younger than a week, a fraction as tie-breaker otherwise."""
    return (age_days < 7).astype(np.float64) + 1.0 / (1.0 + np.maximum(age_days, 0.0))


def tree_threads(rows: int) -> int:
    """One thread below 100k training rows: LightGBM's OpenMP threads spin-wait, and on a
    busy 2-core machine two threads made a 800-row fit 9x slower (8.0 s vs 0.9 s) than one.
    A function of the data size only, so the same data always trains the same way."""
    return 1 if rows < 100_000 else max(os.cpu_count() or 1, 1)


def fit_trees(
    x: np.ndarray,
    valid: Fold,
    test: Fold,
    seed: int,
    params: dict[str, Any] | None = None,
    max_rounds: int = 500,
    x_test: np.ndarray | None = None,
) -> dict[str, Any]:
    """LightGBM: rounds chosen on valid, refit at ``t2``; scores of both evaluation periods.

    ``x_test``: the test fold's own features when they differ from the valid fold's (label-aware
    graph features are computed from the labels known at each fold's cut)."""
    xt = x if x_test is None else x_test
    params = {**TREE_PARAMS, **(params or {})}
    common = {
        "random_state": seed,
        "verbose": -1,
        "n_jobs": tree_threads(int(valid.train.numel())),
        "deterministic": True,
        **params,
    }
    first = lgb.LGBMClassifier(n_estimators=max_rounds, **common)
    first.fit(
        x[valid.train.numpy()],
        valid.train_y.numpy(),
        eval_X=(x[valid.eval.numpy()],),
        eval_y=(valid.eval_y.numpy(),),
        eval_metric="average_precision",
        callbacks=[lgb.early_stopping(50, verbose=False)],
    )
    rounds = int(first.best_iteration_ or max_rounds)
    final = lgb.LGBMClassifier(n_estimators=rounds, **common)
    final.fit(xt[test.train.numpy()], test.train_y.numpy())
    valid_scores = np.asarray(first.predict_proba(x[valid.eval.numpy()], num_iteration=rounds))
    test_scores = np.asarray(final.predict_proba(xt[test.eval.numpy()]))
    return {
        "valid_scores": valid_scores[:, 1],
        "test_scores": test_scores[:, 1],
        "rounds": rounds,
        "params": params,
        "model": final,
    }
