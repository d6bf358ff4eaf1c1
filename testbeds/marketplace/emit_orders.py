"""Streaming the time-ordered orders to disk, chunk by chunk, with everything they trigger.

Only one chunk's Python objects exist at a time: order rows are written as they are rendered,
app events are sorted within the chunk, and delayed events (reviews, tickets, chargebacks) wait
in a queue until no later order can precede them.
"""

from __future__ import annotations

import itertools

import numpy as np

from .aftermath import Aftermath
from .catalog import Catalog
from .config import END_TS, PLATFORMS
from .events import AppEvents
from .fraud import FraudPlan
from .ids import streams
from .noise import Noise
from .order_render import OrderRenderer
from .orders_table import OrderTable
from .people import Population
from .writers import Sink


def _chunk(
    table: OrderTable, s: int, e: int
) -> tuple[list[int], list[int], list[list[tuple[int, int]]], list[int], list[int]]:
    """Plain-Python views of orders [s, e): accounts, times, items, fraud codes, detail refs."""
    ptr = table.item_ptr[s : e + 1].tolist()
    prods = table.item_product[ptr[0] : ptr[-1]].tolist()
    qtys = table.item_qty[ptr[0] : ptr[-1]].tolist()
    base = ptr[0]
    items = [
        list(zip(prods[a - base : b - base], qtys[a - base : b - base], strict=True))
        for a, b in itertools.pairwise(ptr)
    ]
    return (
        table.account[s:e].tolist(),
        table.ts[s:e].tolist(),
        items,
        table.fraud[s:e].tolist(),
        table.extra[s:e].tolist(),
    )


def emit_orders(
    sink: Sink,
    table: OrderTable,
    pop: Population,
    catalog: Catalog,
    plan: FraudPlan,
    seed: int,
    chunk: int,
) -> None:
    """Render all orders (already sorted by time) and their consequences."""
    gen, rnd = streams(seed, "emit:orders")
    _, noise_rnd = streams(seed, "noise:orders")
    noise = Noise(noise_rnd)
    renderer = OrderRenderer(sink, pop, catalog, plan.details, seed, rnd, noise)
    _, ev_rnd = streams(seed, "events")
    events = AppEvents(sink, pop, catalog, seed, gen, ev_rnd, noise)
    after = Aftermath(sink, catalog, rnd, noise)
    raw_ids = pop.accounts.raw_id
    for s in range(0, len(table), chunk):
        e = min(len(table), s + chunk)
        accounts, times, items, fraud, extra = _chunk(table, s, e)
        for k in range(e - s):
            o = renderer.place(accounts[k], times[k], items[k], fraud[k], extra[k])
            if o.channel == "app":
                events.order_session(o, renderer.app_account[pop.accounts.person[o.account]])
            after.handle(o, raw_ids[o.account])
        events.browse_until(times[-1])
        events.flush()
        after.flush(times[-1])
    events.browse_until(END_TS)
    events.flush()
    after.flush(END_TS + 1)


def write_fraud_accounts(sink: Sink, pop: Population, plan: FraudPlan) -> None:
    """truth/fraud_accounts.csv: which accounts each fraud actor controlled or abused."""
    out = sink.csv("truth/fraud_accounts.csv", ["platform", "account_id", "actor_id", "fraud_type"])
    for account, actor, fraud_type in plan.actors:
        out.write(
            [
                PLATFORMS[pop.accounts.platform[account]],
                pop.accounts.raw_id[account],
                actor,
                fraud_type,
            ]
        )


def order_counts(table: OrderTable, pop: Population) -> dict[str, int]:
    """Orders per platform (used by the summary and the tests)."""
    plat = np.asarray(pop.accounts.platform, dtype=np.int64)[table.account]
    return {PLATFORMS[p]: int((plat == p).sum()) for p in (0, 1)}
