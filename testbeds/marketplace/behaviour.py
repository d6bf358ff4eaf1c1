"""Legitimate buying behaviour: who buys what, when, and what they buy next.

Purchases follow each person's taste (category Dirichlet), price level (price terciles) and brand
loyalty, with Zipf product popularity. Phones and laptops pull complementary purchases (cases,
chargers, bags, drives) days later; coffee and skincare are bought again every few weeks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from .catalog import Catalog
from .choices import N_CAT, Choice, accessory_choices, brand_choices, tier_choices
from .config import APP, DAY, END_TS, ScaleConfig
from .orders_table import OrderTable, from_lists, sample_times
from .people import Population
from .taxonomy import CAT_INDEX, CATEGORIES

# Share of target orders drawn as "primary" orders; follow-ups and fraud make up the rest.
PRIMARY_SHARE = 0.80


def _order_accounts(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """CSR of each person's order-capable accounts (web shop and marketplace, not app)."""
    lists: list[list[int]] = [[] for _ in pop.persons]
    for a, (p, plat) in enumerate(zip(pop.accounts.person, pop.accounts.platform, strict=True)):
        if plat != APP and p < len(lists):
            lists[p].append(a)
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in lists], out=ptr[1:])
    return ptr, np.array([a for x in lists for a in x], dtype=np.int64)


def _primary_skeleton(
    cfg: ScaleConfig, pop: Population, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per order: account, time, item count; per item: the ordering person."""
    ptr, accts = _order_accounts(pop)
    created = np.asarray(pop.accounts.created, dtype=np.int64)
    first = created[accts[ptr[:-1]]]
    active = np.clip(END_TS - np.maximum(first, END_TS - 365 * DAY), DAY, None)
    w = pop.activity * active
    n = round(cfg.n_orders * PRIMARY_SHARE)
    person = gen.choice(len(pop.persons), size=n, p=w / w.sum())
    k = np.diff(ptr)[person]
    account = accts[ptr[person] + (gen.random(n) * k).astype(np.int64)]
    ts = sample_times(created[account], gen)
    n_items = gen.choice(np.arange(1, 5), size=n, p=np.array([0.55, 0.27, 0.12, 0.06]))
    return account, ts, n_items, np.repeat(person, n_items)


def _categories(taste: np.ndarray, item_person: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """Category per item from the buyer's taste, in chunks to bound the (items x 15) matrix."""
    out = np.empty(item_person.shape[0], dtype=np.int64)
    cum = np.cumsum(taste, axis=1)
    for s in range(0, out.shape[0], 200_000):
        rows = cum[item_person[s : s + 200_000]]
        u = gen.random(rows.shape[0])[:, None] * rows[:, -1:]
        out[s : s + 200_000] = np.minimum((rows < u).sum(axis=1), N_CAT - 1)
    return out


def _pick_products(
    pop: Population,
    catalog: Catalog,
    item_person: np.ndarray,
    item_plat: np.ndarray,
    gen: np.random.Generator,
    rnd: random.Random,
) -> np.ndarray:
    """Product per item: taste -> category, price level -> tercile, popularity -> product."""
    n = int(item_person.shape[0])
    cats = _categories(pop.taste, item_person, gen)
    noise = gen.normal(0.0, 0.6, size=n)
    tier = np.clip(np.floor(pop.price_level[item_person] * 3 + noise), 0, 2).astype(np.int64)
    keys = (item_plat * N_CAT + cats) * 3 + tier
    u = gen.random(n)
    products = np.empty(n, dtype=np.int32)
    tiers = tier_choices(catalog)
    order = np.argsort(keys, kind="stable")
    uniq, starts = np.unique(keys[order], return_index=True)
    for k, s, e in zip(uniq.tolist(), starts.tolist(), [*starts[1:].tolist(), n], strict=True):
        idx = order[s:e]
        ch = tiers[(k // (3 * N_CAT), (k // 3) % N_CAT, k % 3)]
        products[idx] = ch.products[np.minimum(np.searchsorted(ch.cdf, u[idx]), len(ch.cdf) - 1)]
    _apply_brand_loyalty(pop, catalog, products, cats, item_person, item_plat, gen, rnd)
    return products


def _apply_brand_loyalty(
    pop: Population,
    catalog: Catalog,
    products: np.ndarray,
    cats: np.ndarray,
    item_person: np.ndarray,
    item_plat: np.ndarray,
    gen: np.random.Generator,
    rnd: random.Random,
) -> None:
    """30 % of items come from one of the buyer's preferred brands when it makes the category."""
    brands = brand_choices(catalog)
    loyal = np.nonzero(gen.random(int(products.shape[0])) < 0.3)[0]
    persons, plats, cs = (
        item_person[loyal].tolist(),
        item_plat[loyal].tolist(),
        cats[loyal].tolist(),
    )
    for i, person, plat, cat in zip(loyal.tolist(), persons, plats, cs, strict=True):
        opts = [brands[key] for b in pop.brands[person] if (key := (plat, cat, b)) in brands]
        if opts:
            products[i] = rnd.choice(opts).draw(rnd.random())


def _quantities(products: np.ndarray, catalog: Catalog, gen: np.random.Generator) -> np.ndarray:
    """Mostly one unit; consumables come in ones to threes."""
    consumable = np.array([CATEGORIES[p.category].consumable for p in catalog.products])
    n = int(products.shape[0])
    extra = np.where(
        consumable[products],
        gen.choice(3, size=n, p=[0.6, 0.3, 0.1]),
        (gen.random(n) < 0.05).astype(np.int64),
    )
    return np.asarray(1 + extra, dtype=np.int32)


def primary_orders(
    cfg: ScaleConfig,
    pop: Population,
    catalog: Catalog,
    gen: np.random.Generator,
    rnd: random.Random,
) -> OrderTable:
    """The bulk of legitimate orders, drawn fully vectorised."""
    account, ts, n_items, item_person = _primary_skeleton(cfg, pop, gen)
    plat = np.asarray(pop.accounts.platform, dtype=np.int64)[np.repeat(account, n_items)]
    products = _pick_products(pop, catalog, item_person, plat, gen, rnd)
    ptr = np.zeros(account.shape[0] + 1, dtype=np.int64)
    np.cumsum(n_items, out=ptr[1:])
    n = account.shape[0]
    return OrderTable(
        account.astype(np.int64),
        ts,
        ptr,
        products,
        _quantities(products, catalog, gen),
        np.zeros(n, dtype=np.int8),
        np.full(n, -1, dtype=np.int32),
    )


_COMPLEMENTS = {  # main category -> (accessory category, probability)
    CAT_INDEX["phone"]: ((CAT_INDEX["case"], 0.40), (CAT_INDEX["charger"], 0.25)),
    CAT_INDEX["laptop"]: ((CAT_INDEX["laptop_bag"], 0.35), (CAT_INDEX["storage"], 0.12)),
}


_NEEDS_COMPAT = {CAT_INDEX["case"], CAT_INDEX["charger"], CAT_INDEX["laptop_bag"]}


def _complements(
    main: int,
    cat: int,
    plat: int,
    acc: dict[tuple[int, int, int], Choice],
    tiers: dict[tuple[int, int, int], Choice],
    rnd: random.Random,
) -> list[int]:
    """Accessories bought after a main item (storage drives need no compatibility)."""
    out = []
    for acc_cat, prob in _COMPLEMENTS[cat]:
        if rnd.random() >= prob:
            continue
        ch = acc.get((plat, main, acc_cat))
        if ch is None and acc_cat not in _NEEDS_COMPAT:
            ch = tiers.get((plat, acc_cat, 1))
        if ch is not None:
            out.append(ch.draw(rnd.random()))
    return out


@dataclass
class _Builder:
    """Accumulates follow-up orders as lists before turning them into a table."""

    account: list[int]
    ts: list[int]
    items: list[list[tuple[int, int]]]

    def add(self, account: int, ts: int, items: list[tuple[int, int]]) -> None:
        self.account.append(account)
        self.ts.append(ts)
        self.items.append(items)


def _complement_orders(b: _Builder, a: int, t: int, extras: list[int], rnd: random.Random) -> None:
    """One follow-up order per accessory, or one order for all of them (half the time)."""
    together = rnd.random() < 0.5
    first_ts = -1
    for p in extras:
        t2 = t + int((rnd.gammavariate(1.5, 4.0) + 0.05) * DAY)
        if together and first_ts > 0:
            b.items[-1].append((p, 1))
        elif t2 <= END_TS:
            b.add(a, t2, [(p, 1)])
            first_ts = t2


def follow_up_orders(
    primary: OrderTable, pop: Population, catalog: Catalog, rnd: random.Random
) -> OrderTable:
    """Complementary purchases days after phones/laptops and repeat buys of consumables."""
    acc, tiers = accessory_choices(catalog), tier_choices(catalog)
    cat_of = np.array([p.category for p in catalog.products])
    item_order = np.repeat(np.arange(len(primary)), np.diff(primary.item_ptr))
    cats = cat_of[primary.item_product]
    consumable = np.array([c.consumable for c in CATEGORIES])[cats]
    trigger = np.nonzero(np.isin(cats, list(_COMPLEMENTS)) | consumable)[0]
    b = _Builder([], [], [])
    accounts = primary.account[item_order[trigger]].tolist()
    times = primary.ts[item_order[trigger]].tolist()
    prods, qtys = primary.item_product[trigger].tolist(), primary.item_qty[trigger].tolist()
    for k, i in enumerate(trigger.tolist()):
        a, t, prod = accounts[k], times[k], prods[k]
        if consumable[i]:
            for t2 in _repeat_times(t, rnd):
                b.add(a, t2, [(prod, qtys[k])])
        else:
            extras = _complements(prod, int(cats[i]), pop.accounts.platform[a], acc, tiers, rnd)
            _complement_orders(b, a, t, extras, rnd)
    return from_lists(b.account, b.ts, b.items)


def _repeat_times(t: int, rnd: random.Random) -> list[int]:
    """Re-order dates of a consumable: 30 % of buyers come back every ~5 weeks for a while."""
    if rnd.random() >= 0.3:
        return []
    out: list[int] = []
    while True:
        t += int(max(14.0, rnd.gauss(35.0, 8.0)) * DAY)
        if t > END_TS:
            return out
        out.append(t)
        if rnd.random() > 0.65:
            return out
