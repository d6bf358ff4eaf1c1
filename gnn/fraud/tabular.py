"""Tabular order features: what the checkout itself says, as of the moment it was placed.

The order's own fields (amount, platform, channel, hour, weekday) and one-hop joins that are
fixed at checkout (account age, basket size and prices, shipping country vs account country).
Nothing after the order: ``status``, ``delivered_at`` and tickets are aftermath and stay out.
"""

from __future__ import annotations

import math

import numpy as np
from torch_geometric.data import HeteroData

DAY = 86_400.0


def order_tabular(
    data: HeteroData, order: str = "Order", user: str = "User"
) -> dict[str, np.ndarray]:
    """Feature name → ``(num_orders,)`` float64 (NaN where unknown; trees handle it)."""
    store = data[order]
    n = int(store.num_nodes)
    t = store.time.double().numpy()
    out: dict[str, np.ndarray] = {}
    for prop in ("total", "amount"):
        if prop in store:
            out[f"log_{prop}"] = np.log1p(np.nan_to_num(store[prop].double().numpy(), nan=0.0))
    for prop in ("platform", "channel"):
        if prop in store:
            out[prop] = store[prop].double().numpy()
    out["hour"] = (t % DAY) / 3600.0
    out["weekday"] = np.floor(t / DAY + 4) % 7  # 1970-01-01 was a Thursday
    placer = _placer(data, order, user, n)
    if placer is not None and "time" in data[user]:
        born = data[user].time.double().numpy()
        age = np.where(placer >= 0, (t - born[np.maximum(placer, 0)]) / DAY, math.nan)
        out["account_age_days"] = age
    _basket(data, order, n, out)
    _country_mismatch(data, order, user, placer, n, out)
    return out


def _placer(data: HeteroData, order: str, user: str, n: int) -> np.ndarray | None:
    et = (user, "PLACED", order)
    if et not in data.edge_types:
        return None
    placer = np.full(n, -1, dtype=np.int64)
    ei = data[et].edge_index.numpy()
    placer[ei[1]] = ei[0]
    return placer


def _basket(data: HeteroData, order: str, n: int, out: dict[str, np.ndarray]) -> None:
    et = (order, "CONTAINS", "Product")
    if et not in data.edge_types:
        return
    o, p = data[et].edge_index.numpy()
    out["basket_lines"] = np.bincount(o, minlength=n).astype(np.float64)
    if "price" in data["Product"]:
        price = np.nan_to_num(data["Product"].price.double().numpy())
        total = np.bincount(o, weights=np.log1p(price[p]), minlength=n)
        out["basket_mean_log_price"] = total / np.maximum(out["basket_lines"], 1)


def _country_mismatch(
    data: HeteroData,
    order: str,
    user: str,
    placer: np.ndarray | None,
    n: int,
    out: dict[str, np.ndarray],
) -> None:
    """1 when the parcel goes to another country than the account's (NaN when unknown)."""
    et = (order, "SHIPPED_TO", "Address")
    if placer is None or et not in data.edge_types:
        return
    if "country" not in data["Address"] or "country" not in data[user]:
        return
    a_vals, u_vals = data["Address"]["country__values"], data[user]["country__values"]
    a_country = np.asarray(a_vals, dtype=object)[
        np.nan_to_num(data["Address"].country.numpy(), nan=0).astype(int)
    ]
    u_country = np.asarray(u_vals, dtype=object)[
        np.nan_to_num(data[user].country.numpy(), nan=0).astype(int)
    ]
    o, a = data[et].edge_index.numpy()
    mismatch = np.full(n, math.nan)
    ok = placer[o] >= 0
    mismatch[o[ok]] = (a_country[a[ok]] != u_country[placer[o[ok]]]).astype(np.float64)
    out["ship_country_mismatch"] = mismatch
