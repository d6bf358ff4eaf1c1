"""Columnar order skeletons and the calendar they are placed on.

Orders are held as numpy columns (account, time, items in CSR form, fraud label) rather than
Python objects: a million orders fit in a few tens of MB, and all text is rendered later, chunk by
chunk, while streaming to disk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import DAY, END_TS, START_TS

FRAUD_TYPES = ("", "ring", "account_takeover", "stolen_card", "refund_abuse", "promo_abuse")
N_DAYS = (END_TS - START_TS + 1) // DAY


@dataclass
class OrderTable:
    """Orders as columns; items of order i are ``item_*[item_ptr[i]:item_ptr[i + 1]]``."""

    account: np.ndarray  # int64 account index
    ts: np.ndarray  # int64 epoch seconds
    item_ptr: np.ndarray  # int64, len n + 1
    item_product: np.ndarray  # int32 canonical product index
    item_qty: np.ndarray  # int32
    fraud: np.ndarray  # int8 index into FRAUD_TYPES
    extra: np.ndarray  # int32 index into the fraud plan's per-order details, -1 for none

    def __len__(self) -> int:
        return int(self.account.shape[0])


def from_lists(
    account: list[int],
    ts: list[int],
    items: list[list[tuple[int, int]]],
    fraud: list[int] | None = None,
    extra: list[int] | None = None,
) -> OrderTable:
    """Build a table from Python lists (used for the comparatively few follow-up/fraud orders)."""
    n = len(account)
    counts = np.array([len(it) for it in items], dtype=np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    flat = [pq for it in items for pq in it]
    return OrderTable(
        account=np.asarray(account, dtype=np.int64).reshape(n),
        ts=np.asarray(ts, dtype=np.int64).reshape(n),
        item_ptr=ptr,
        item_product=np.asarray([p for p, _ in flat], dtype=np.int32).reshape(len(flat)),
        item_qty=np.asarray([q for _, q in flat], dtype=np.int32).reshape(len(flat)),
        fraud=np.asarray(fraud if fraud is not None else [0] * n, dtype=np.int8).reshape(n),
        extra=np.asarray(extra if extra is not None else [-1] * n, dtype=np.int32).reshape(n),
    )


def concat(tables: list[OrderTable]) -> OrderTable:
    """Stack tables, re-basing the item pointers."""
    ptrs = [np.zeros(1, dtype=np.int64)]
    base = 0
    for t in tables:
        ptrs.append(t.item_ptr[1:] + base)
        base += int(t.item_ptr[-1])
    return OrderTable(
        account=np.concatenate([t.account for t in tables]),
        ts=np.concatenate([t.ts for t in tables]),
        item_ptr=np.concatenate(ptrs),
        item_product=np.concatenate([t.item_product for t in tables]),
        item_qty=np.concatenate([t.item_qty for t in tables]),
        fraud=np.concatenate([t.fraud for t in tables]),
        extra=np.concatenate([t.extra for t in tables]),
    )


def sort_by_time(t: OrderTable) -> OrderTable:
    """Reorder orders chronologically (stable), carrying their item slices along."""
    order = np.argsort(t.ts, kind="stable")
    counts = np.diff(t.item_ptr)[order]
    ptr = np.zeros(len(t) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    starts = t.item_ptr[:-1][order]
    # index of every item in the new order: start of its order + offset within the order
    offsets = np.arange(int(ptr[-1]), dtype=np.int64) - np.repeat(ptr[:-1], counts)
    take = np.repeat(starts, counts) + offsets
    return OrderTable(
        t.account[order],
        t.ts[order],
        ptr,
        t.item_product[take],
        t.item_qty[take],
        t.fraud[order],
        t.extra[order],
    )


def _day_weights() -> np.ndarray:
    """Relative order volume per day of 2025: weekends, January sales, Black Friday, Christmas."""
    days = np.arange(N_DAYS)
    w = np.ones(N_DAYS)
    w[(days + 2) % 7 >= 5] *= 1.15  # 2025-01-01 is a Wednesday: (d + 2) % 7 in {5, 6} = Sat/Sun
    w[:14] *= 1.25
    w[310:334] *= 1.3  # November run-up
    w[331] *= 3.0  # Black Friday 2025-11-28
    w[334] *= 2.0  # Cyber Monday 2025-12-01
    w[334:354] *= 1.4
    w[357:360] *= 0.6  # 24-26 December
    return w / w.sum()


_DAY_CDF = np.cumsum(_day_weights())
# Hour-of-day profile (UTC): quiet nights, lunch bump, evening peak.
_HOURS = np.array([2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 7, 7, 8, 7, 6, 6, 6, 7, 8, 9, 10, 10, 7, 4.0])
_HOUR_CDF = np.cumsum(_HOURS / _HOURS.sum())


def sample_times(lower: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """Seasonal timestamps, each at or after its lower bound (e.g. the account's creation)."""
    lb = np.clip(lower, START_TS, END_TS - 3600)
    lb_day = (lb - START_TS) // DAY
    f0 = np.where(lb_day > 0, _DAY_CDF[np.maximum(lb_day - 1, 0)], 0.0)
    u = f0 + gen.random(lb.shape[0]) * (1.0 - f0)
    day = np.minimum(np.searchsorted(_DAY_CDF, u), N_DAYS - 1)
    hour = np.minimum(np.searchsorted(_HOUR_CDF, gen.random(lb.shape[0])), 23)
    ts = START_TS + day * DAY + hour * 3600 + gen.integers(0, 3600, size=lb.shape[0])
    return np.asarray(np.clip(np.maximum(ts, lb + 60), START_TS, END_TS), dtype=np.int64)
