"""How far online order scores agree with batch ones: each stored order is re-scored through
the online path as of its own time (only older orders visible) and compared with the score
the batch forward pass stored in the artefact. Used by ``bench.online_agreement`` (numbers in
docs/serving.md) and the API model tests; it measures, it does not serve, so it lives in bench/."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from api.models import LiveProvider
from gnn.fraud.online_features import Checkout, parse_time


@dataclass
class Agreement:
    orders: int
    pearson: float
    spearman: float
    mean_abs_diff: float
    feature_mismatch: dict[str, float]  # feature → share of orders where online != batch
    pairs: list[tuple[str, float, float]]


def stored_checkout(provider: LiveProvider, order: str) -> Checkout:
    """A stored order as the ``Checkout`` it was (keys, time, total, platform, channel)."""
    r = provider._run(provider.service["order_checkout"], order=order).rows[0]
    return Checkout(
        user=r["user"] or "",
        products=list(r["products"]),
        at=parse_time(r["at"]),
        card=r["card"],
        device=r["device"],
        ip=r["ip"],
        address=r["address"],
        total=r["total"],
        platform=r["platform"],
        channel=r["channel"],
        ship_country=r["country"],
        exclude=order,
    )


def measure(provider: LiveProvider, orders: list[str]) -> Agreement:
    """Online vs batch score per order, and which features differ most often."""
    fraud = provider.fraud
    assert fraud is not None, "no fraud model loaded"
    pairs, mismatch = [], dict.fromkeys(fraud.names, 0)
    for key in orders:
        c = stored_checkout(provider, key)
        scored = fraud.score(c, provider.neighbourhood(c))
        batch = float(fraud.scores[fraud.rows[key]])
        pairs.append((key, scored.risk, batch))
        online_x = fraud.inputs(scored.features)
        batch_x = fraud.x[fraud.rows[key]]
        for j, name in enumerate(fraud.names):
            mismatch[name] += int(abs(float(online_x[j]) - float(batch_x[j])) > 1e-3)
    on, ba = np.array([p[1] for p in pairs]), np.array([p[2] for p in pairs])
    return Agreement(
        orders=len(pairs),
        pearson=float(np.corrcoef(on, ba)[0, 1]),
        spearman=float(spearmanr(on, ba).statistic),
        mean_abs_diff=float(np.abs(on - ba).mean()),
        feature_mismatch={k: v / max(len(pairs), 1) for k, v in mismatch.items() if v},
        pairs=pairs,
    )
