"""The five fraud schemes, each leaving the traces a real investigation would find.

1. Rings: 3-8 fresh accounts sharing devices, cards, drop addresses and IPs, buying resellables.
2. Account takeover: an established account suddenly orders from a new device, IP and address.
3. Stolen card: one victim's card used by several unrelated-looking fresh accounts within days.
4. Refund abuse: "item not received" tickets on orders that were delivered.
5. Promo abuse: many fresh accounts on one device, each redeeming the first-order promo code.
"""

from __future__ import annotations

import numpy as np

from .config import DAY, END_TS, MARKETPLACE, START_TS, WEBSHOP, ScaleConfig
from .fraud import PROMO_FIRST_ORDER, FraudContext, FraudDetail
from .ids import browser_id, card_number, ipv4, neighbour_ip
from .orders_table import OrderTable, sample_times
from .people import random_address


def _start(ctx: FraudContext, tail_days: int) -> int:
    """Scheme start time anywhere in the year, leaving ``tail_days`` for it to play out."""
    return START_TS + ctx.rnd.randrange(0, END_TS - START_TS - tail_days * DAY)


def rings(ctx: FraudContext, n: int) -> None:
    """Fraud rings: shared infrastructure, round-robin devices so every member shares one."""
    if ctx.camouflage:
        camouflaged_rings(ctx, n)
        return
    rnd = ctx.rnd
    for r in range(n):
        ring, actor = f"R{r + 1:04d}", ctx.actor("R")
        size = rnd.randint(3, 8)
        plat = WEBSHOP if rnd.random() < 0.6 else MARKETPLACE
        country = rnd.choice(("GB", "DE", "FR", "NL", "US", "ES"))
        devices = [browser_id(rnd) for _ in range(rnd.randint(1, size // 2))]
        cards = [card_number(rnd) for _ in range(rnd.randint(1, 2))]
        drops = [random_address(country, rnd) for _ in range(rnd.randint(1, 2))]
        base_ip = ipv4(rnd, None)
        ips = [base_ip] + [neighbour_ip(base_ip, rnd) for _ in range(rnd.randint(0, 2))]
        t0 = _start(ctx, 3)
        for i in range(size):
            created = t0 - rnd.randint(0, 10 * DAY)
            acct = ctx.synthetic_account(plat, created, country)
            ctx.plan.add_actor(acct, actor, "ring")
            for _ in range(rnd.randint(1, 4)):
                t = min(END_TS, max(created + 600, t0 + rnd.randrange(0, 42 * DAY)))
                device = devices[i % len(devices)] if rnd.random() < 0.8 else rnd.choice(devices)
                detail = FraudDetail(
                    device=device,
                    ip=rnd.choice(ips),
                    card=rnd.choice(cards),
                    address=rnd.choice(drops),
                    chargeback=rnd.random() < 0.85,
                    ring=ring,
                    web_only=True,
                )
                ctx.plan.add_order(acct, t, ctx.items(plat, True), "ring", detail)


def camouflaged_rings(ctx: FraudContext, n: int) -> None:
    """Rings that hide (CARE-GNN's camouflage, on data we control): members are aged accounts,
    some of them real customers' accounts the crew took over, each mostly on its own device,
    card, IP and address; one shared device or card links only a few members; ordinary goods
    next to resellables; orders spread over four months. Most of a fraudster's neighbours in
    the graph are then benign, and its own order looks like anyone's."""
    rnd, pop = ctx.rnd, ctx.pop
    aged = np.asarray(pop.accounts.created) < END_TS - 200 * DAY
    platform = np.asarray(pop.accounts.platform)
    for r in range(n):
        ring, actor = f"R{r + 1:04d}", ctx.actor("R")
        size = rnd.randint(3, 8)
        plat = WEBSHOP if rnd.random() < 0.6 else MARKETPLACE
        real = np.nonzero(aged & (platform == plat))[0]
        country = rnd.choice(("GB", "DE", "FR", "NL", "US", "ES"))
        shared_device, shared_card = browser_id(rnd), card_number(rnd)
        t0 = _start(ctx, 120)
        for _ in range(size):
            if real.size and rnd.random() < 0.3:  # a taken-over real account, with its history
                acct = int(real[rnd.randrange(real.size)])
            else:
                acct = ctx.synthetic_account(plat, t0 - rnd.randint(30, 400) * DAY, country)
            ctx.plan.add_actor(acct, actor, "ring")
            person = pop.persons[pop.accounts.person[acct]]
            home = random_address(country, rnd)
            for _ in range(rnd.randint(1, 4)):
                t = min(END_TS, t0 + rnd.randrange(0, 120 * DAY))
                detail = FraudDetail(
                    device=shared_device if rnd.random() < 0.2 else person.browsers[0],
                    ip=ipv4(rnd, country),
                    card=shared_card if rnd.random() < 0.2 else person.cards[0],
                    address=home,
                    chargeback=rnd.random() < 0.85,
                    ring=ring,
                    web_only=True,
                )
                goods = ctx.items(plat, rnd.random() < 0.5)
                ctx.plan.add_order(acct, t, goods, "ring", detail)


def takeovers(ctx: FraudContext, n: int, legit: OrderTable) -> None:
    """Account takeover of established accounts (three or more earlier orders)."""
    rnd, pop = ctx.rnd, ctx.pop
    counts = np.bincount(legit.account, minlength=len(pop.accounts.person))
    candidates = np.nonzero(counts >= 3)[0]
    if candidates.size == 0:
        return
    victims = ctx.gen.choice(candidates, size=min(n, candidates.size), replace=False)
    for acct in sorted(victims.tolist()):
        third = int(np.sort(legit.ts[legit.account == acct])[2])
        t0 = third + rnd.randint(1, 60) * DAY
        if t0 > END_TS - DAY:
            continue
        actor = ctx.actor("T")
        ctx.plan.add_actor(acct, actor, "account_takeover")
        person = pop.persons[pop.accounts.person[acct]]
        device, ip = browser_id(rnd), ipv4(rnd, None)
        drop = random_address(rnd.choice(("GB", "DE", "NL")), rnd)
        for k in range(rnd.randint(1, 3)):
            t = min(END_TS, t0 + rnd.randrange(0, 2 * DAY))
            detail = FraudDetail(
                device=device,
                ip=ip,
                card=person.cards[0],
                address=drop,
                chargeback=rnd.random() < 0.8,
                web_only=True,
            )
            if k == 0 and rnd.random() < 0.6:
                detail.ticket, detail.ticket_delay_days = "account_hacked", rnd.uniform(1, 5)
            plat = pop.accounts.platform[acct]
            ctx.plan.add_order(acct, t, ctx.items(plat, True), "account_takeover", detail)


def stolen_cards(ctx: FraudContext, n: int) -> None:
    """A real customer's card number, used by 3-5 fresh accounts within a few days."""
    rnd, pop = ctx.rnd, ctx.pop
    real = [i for i, p in enumerate(pop.persons) if not p.synthetic]
    for _ in range(n):
        card = pop.persons[rnd.choice(real)].cards[0]
        actor, t0 = ctx.actor("C"), _start(ctx, 5)
        for _ in range(rnd.randint(3, 5)):
            plat = WEBSHOP if rnd.random() < 0.5 else MARKETPLACE
            created = t0 - rnd.randint(0, 3 * DAY)
            if ctx.camouflage:  # accounts opened long before, used spread over weeks
                created = t0 - rnd.randint(30, 300) * DAY
            acct = ctx.synthetic_account(plat, created)
            ctx.plan.add_actor(acct, actor, "stolen_card")
            person = pop.persons[pop.accounts.person[acct]]
            for _ in range(rnd.randint(1, 2)):
                spread = (30 if ctx.camouflage else 5) * DAY
                t = min(END_TS, max(created + 300, t0 + rnd.randrange(0, spread)))
                detail = FraudDetail(
                    device=person.browsers[0],
                    ip=ipv4(rnd, None),
                    card=card,
                    chargeback=rnd.random() < 0.9,
                    web_only=True,
                )
                ctx.plan.add_order(acct, t, ctx.items(plat, True), "stolen_card", detail)


def refund_abusers(ctx: FraudContext, n: int, legit: OrderTable) -> None:
    """Customers who claim delivered parcels never arrived, again and again."""
    rnd, pop = ctx.rnd, ctx.pop
    candidates = np.unique(legit.account)
    abusers = ctx.gen.choice(candidates, size=min(n, candidates.size), replace=False)
    latest = END_TS - 20 * DAY  # leave time for delivery and the false claim
    for acct in sorted(abusers.tolist()):
        lower = np.full(rnd.randint(3, 6), pop.accounts.created[acct], dtype=np.int64)
        times = [t for t in sample_times(lower, ctx.gen).tolist() if t <= latest]
        if not times:
            continue
        ctx.plan.add_actor(acct, ctx.actor("A"), "refund_abuse")
        for t in times:
            detail = FraudDetail(
                ticket="item_not_received",
                ticket_delay_days=rnd.uniform(2, 10),
                force_delivered=True,
            )
            plat = pop.accounts.platform[acct]
            ctx.plan.add_order(acct, t, ctx.items(plat, False), "refund_abuse", detail)


def promo_abuse(ctx: FraudContext, n: int) -> None:
    """One device, many fresh accounts, each using the first-order promo code once."""
    rnd = ctx.rnd
    for _ in range(n):
        actor, t0 = ctx.actor("P"), _start(ctx, 21)
        device = browser_id(rnd)
        country = rnd.choice(("GB", "DE", "FR", "NL", "US", "ES"))
        home = random_address(country, rnd)
        base_ip = ipv4(rnd, country)
        plat = WEBSHOP if rnd.random() < 0.7 else MARKETPLACE
        for _ in range(rnd.randint(5, 12)):
            created = t0 + rnd.randrange(0, 21 * DAY)
            acct = ctx.synthetic_account(plat, created, country)
            ctx.plan.add_actor(acct, actor, "promo_abuse")
            drop = home if rnd.random() < 0.6 else random_address(country, rnd)
            hide = ctx.camouflage and rnd.random() < 0.7  # own device and a carrier IP
            detail = FraudDetail(
                device=browser_id(rnd) if hide else device,
                ip=ipv4(rnd, country) if hide else neighbour_ip(base_ip, rnd),
                address=drop,
                promo=PROMO_FIRST_ORDER,
                web_only=True,
            )
            t = min(END_TS, created + rnd.randint(300, 2 * DAY))
            ctx.plan.add_order(acct, t, ctx.items(plat, False), "promo_abuse", detail)


def run_all(ctx: FraudContext, cfg: ScaleConfig, legit: OrderTable) -> None:
    """All schemes in a fixed order (the order matters for reproducibility)."""
    rings(ctx, cfg.n_rings)
    takeovers(ctx, cfg.n_takeovers, legit)
    stolen_cards(ctx, cfg.n_stolen_cards)
    refund_abusers(ctx, cfg.n_refund_abusers, legit)
    promo_abuse(ctx, cfg.n_promo_devices)
