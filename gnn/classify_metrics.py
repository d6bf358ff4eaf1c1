"""Binary classification metrics for rare positives (chargebacks, linked accounts).

ROC-AUC says how well positives are ranked above negatives overall; with 1-2 % positives it
stays high even when the top of the list is mostly noise, so PR-AUC (average precision) is the
headline number, and ``recall@p%`` answers the analyst's question: if we review the top ``p`` %
of scored items, what share of all positives do we catch? All from scikit-learn, ties broken by
the stable order of the input so results are deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

ALERT_RATES = (0.01, 0.05)


def recall_at_rate(y: np.ndarray, score: np.ndarray, rate: float) -> float:
    """Share of positives among the top ``ceil(rate * n)`` scores (NaN without positives)."""
    positives = float(y.sum())
    if positives == 0 or len(y) == 0:
        return math.nan
    k = max(1, math.ceil(rate * len(y)))
    top = np.argsort(-score, kind="stable")[:k]
    return float(y[top].sum() / positives)


def binary_metrics(
    y: np.ndarray, score: np.ndarray, rates: Sequence[float] = ALERT_RATES
) -> dict[str, float]:
    """``roc_auc``, ``pr_auc`` and ``recall@<p>%``; NaN where a class is missing."""
    y = np.asarray(y, dtype=np.float64)
    score = np.asarray(score, dtype=np.float64)
    both = 0 < y.sum() < len(y)
    out = {
        "roc_auc": float(roc_auc_score(y, score)) if both else math.nan,
        "pr_auc": float(average_precision_score(y, score)) if both else math.nan,
    }
    for rate in rates:
        out[f"recall@{rate * 100:g}%"] = recall_at_rate(y, score, rate)
    out["positives"] = float(y.sum())
    out["n"] = float(len(y))
    return {k: round(v, 4) if math.isfinite(v) else v for k, v in out.items()}


def pr_curve(y: np.ndarray, score: np.ndarray, points: int = 200) -> dict[str, Any]:
    """Precision and recall, downsampled to at most ``points`` (for report plots)."""
    if not 0 < float(np.sum(y)) < len(y):
        return {"precision": [], "recall": []}
    precision, recall, _ = precision_recall_curve(y, score)
    idx = np.unique(np.linspace(0, len(precision) - 1, min(points, len(precision))).astype(int))
    return {
        "precision": [round(float(p), 4) for p in precision[idx]],
        "recall": [round(float(r), 4) for r in recall[idx]],
    }
