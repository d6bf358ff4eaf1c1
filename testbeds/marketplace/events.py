"""The mobile app's event log: sessions around app orders plus browse-only sessions.

The app is the web shop's app with its own user ids. A purchase session ends in a ``purchase``
event whose ``order_ref`` usually (not always) names the web shop order; browse sessions are
views and the odd add-to-cart. Every app account has at least one session, so every app user in
the truth appears in the log.
"""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa

from .catalog import Catalog
from .config import APP, END_TS, START_TS, WEBSHOP
from .ids import OpaqueIds, ipv4
from .noise import Noise
from .order_render import Placed
from .people import Population
from .writers import Sink

SCHEMA = pa.schema(
    [
        ("event_id", pa.int64()),
        ("ts_ms", pa.int64()),
        ("user_id", pa.string()),
        ("device_id", pa.string()),
        ("ip", pa.string()),
        ("event_type", pa.string()),
        ("product_id", pa.string()),
        ("order_ref", pa.string()),
        ("session_id", pa.string()),
        ("os", pa.string()),
        ("app_version", pa.string()),
    ]
)
Event = tuple[int, str | None, str, str, str, str | None, str | None, str, str, str]


def _os(device: str) -> str:
    return "iOS" if int(device[0], 16) % 2 else "Android"


def _version(ts: int) -> str:
    month = (ts - START_TS) // (31 * 86_400) + 1
    return f"5.{month}.{ts % 3}"


class AppEvents:
    """Buffers one chunk's events, sorts them by time and appends them to the Parquet log."""

    def __init__(
        self,
        sink: Sink,
        pop: Population,
        catalog: Catalog,
        seed: int,
        gen: np.random.Generator,
        rnd: random.Random,
        noise: Noise,
    ) -> None:
        self.pop, self.catalog, self.rnd, self.noise = pop, catalog, rnd, noise
        self.table = sink.parquet("raw/app/events.parquet", SCHEMA)
        self._sessions = OpaqueIds(seed, "s_", 12)
        self._n_sessions = 0
        self._next_event = 0
        self._buf: list[Event] = []
        self._ws_by_cat = self._webshop_products()
        self._cats = sorted(self._ws_by_cat)
        self.browse_ts, self.browse_acct = self._browse_plan(gen)
        self._browse_pos = 0
        self._seen: set[int] = set()  # app accounts that already appeared signed in

    def _webshop_products(self) -> dict[int, tuple[list[int], list[float]]]:
        out: dict[int, tuple[list[int], list[float]]] = {}
        for p in self.catalog.products:
            if self.catalog.available(WEBSHOP, p.idx):
                prods, cum = out.setdefault(p.category, ([], []))
                prods.append(p.idx)
                cum.append((cum[-1] if cum else 0.0) + p.popularity)
        return out

    def _browse_plan(self, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Browse sessions per app account: 1 + Poisson(3 x activity), uniform after sign-up."""
        accts = self.pop.accounts
        app = np.array([a for a, p in enumerate(accts.platform) if p == APP], dtype=np.int64)
        persons = np.asarray(accts.person, dtype=np.int64)[app]
        n = 1 + gen.poisson(3.0 * self.pop.activity[persons])
        acct = np.repeat(app, n)
        lo = np.maximum(np.asarray(accts.created, dtype=np.int64)[acct], START_TS)
        ts = lo + (gen.random(acct.shape[0]) * (END_TS - 3600 - lo)).astype(np.int64)
        order = np.argsort(ts, kind="stable")
        return ts[order], acct[order]

    def _product_ref(self, product: int) -> str:
        return self.catalog.listings[self.catalog.by_platform[WEBSHOP][product][0]].raw_id

    def _session(
        self,
        user: str | None,
        device: str,
        ip: str,
        start: int,
        steps: list[tuple[str, int | None, str | None]],
    ) -> None:
        """Append a session's events: ``steps`` are (type, product, order_ref)."""
        sid = self._sessions(self._n_sessions)
        self._n_sessions += 1
        t = start * 1000 + self.rnd.randrange(1000)
        for kind, product, ref in steps:
            ref_id = self._product_ref(product) if product is not None else None
            self._buf.append(
                (
                    t,
                    user,
                    device,
                    ip,
                    self.noise.text(kind, 0.005),
                    ref_id,
                    ref,
                    sid,
                    _os(device),
                    _version(start),
                )
            )
            t += self.rnd.randint(3_000, 120_000)

    def _similar(self, product: int, k: int) -> list[int]:
        """k other web shop products of the same category, popularity-weighted (browsing)."""
        prods, cum = self._ws_by_cat[self.catalog.products[product].category]
        return self.rnd.choices(prods, cum_weights=cum, k=k)

    def order_session(self, o: Placed, app_account: int) -> None:
        """The app session that ended in order ``o``: views, add-to-cart, purchase."""
        rnd = self.rnd
        steps: list[tuple[str, int | None, str | None]] = []
        if rnd.random() < 0.3:
            steps.append(("login", None, None))
        for p, _, _, _ in o.items:
            steps += [("view", q, None) for q in self._similar(p, rnd.randint(0, 3))]
            steps += [("view", p, None), ("add_to_cart", p, None)]
        steps.append(("purchase", None, o.order_id if rnd.random() < 0.85 else None))
        self._seen.add(app_account)
        user = self.pop.accounts.raw_id[app_account]
        self._session(user, o.device, o.ip, o.ts - 45 * len(steps), steps)

    def browse_until(self, ts: int) -> None:
        """Emit the planned browse sessions that start at or before ``ts``."""
        while self._browse_pos < self.browse_ts.shape[0] and self.browse_ts[self._browse_pos] <= ts:
            self._browse(
                int(self.browse_acct[self._browse_pos]), int(self.browse_ts[self._browse_pos])
            )
            self._browse_pos += 1

    def _browse(self, account: int, ts: int) -> None:
        rnd, pop = self.rnd, self.pop
        pi = pop.accounts.person[account]
        person = pop.persons[pi]
        cats = self._cats
        cat = rnd.choices(cats, [float(pop.taste[pi][c]) for c in cats])[0]
        prods, cum = self._ws_by_cat[cat]
        viewed = rnd.choices(prods, cum_weights=cum, k=rnd.randint(1, 8))
        steps: list[tuple[str, int | None, str | None]] = [("view", p, None) for p in viewed]
        if rnd.random() < 0.25:
            steps.append(("add_to_cart", rnd.choice(viewed), None))
        if rnd.random() < 0.2:
            steps.insert(0, ("login", None, None))
        logged_out = account in self._seen and rnd.random() < 0.1  # first visit: signs in
        self._seen.add(account)
        user = None if logged_out else pop.accounts.raw_id[account]
        ip = rnd.choice(person.ips) if rnd.random() < 0.8 else ipv4(rnd, None)
        self._session(user, person.app_device, ip, ts, steps)

    def flush(self) -> None:
        """Write the buffered events in time order with sequential event ids."""
        self._buf.sort(key=lambda e: e[0])
        for e in self._buf:
            self.table.write((self._next_event, *e))
            self._next_event += 1
        self._buf = []
