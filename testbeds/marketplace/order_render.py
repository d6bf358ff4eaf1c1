"""Turning order skeletons into raw order rows on the web shop and the marketplace.

Here a skeleton meets its buyer's identifiers: the card they usually pay with, their address
(or a gift address), their browser or phone, their home IP (or a mobile one). Fraud details
override exactly these, which is what detection models have to notice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .catalog import Catalog
from .config import APP, DAY, END_TS, EUR_RATE, MARKETPLACE, WEBSHOP
from .emit_static import order_currency
from .formats import (
    address_line,
    country_field,
    first_name_variant,
    iso,
    marketplace_name,
    money,
    street,
)
from .fraud import PROMO_FIRST_ORDER, FraudDetail
from .ids import OpaqueIds, ipv4, seq_id
from .noise import Noise
from .orders_table import FRAUD_TYPES
from .people import Address, Person, Population, random_address
from .writers import Sink

WS_ORDER_COLUMNS = (
    "order_id",
    "customer_id",
    "order_date",
    "channel",
    "status",
    "currency",
    "total",
    "promo_code",
    "card_number",
    "ship_name",
    "ship_street",
    "ship_city",
    "ship_postcode",
    "ship_country",
    "device_id",
    "ip",
    "delivered_at",
)
PROMOS = {
    PROMO_FIRST_ORDER: 0.10,
    "BLACKFRIDAY25": 0.25,
    "XMAS10": 0.10,
    "SUMMER15": 0.15,
    "SAVE5": 0.05,
}


@dataclass(slots=True)
class Placed:
    """A rendered order, as the follow-up stages (events, reviews, tickets) need it."""

    platform: int
    order_id: str
    account: int
    person: Person
    ts: int
    status: str
    delivered: int | None
    items: list[tuple[int, int, int, float]]  # product, qty, listing index, unit price
    total: float
    currency: str
    channel: str
    device: str
    ip: str
    fraud_type: str
    detail: FraudDetail | None


def _merge(items: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Same product twice in one basket becomes one line with the summed quantity."""
    out: dict[int, int] = {}
    for p, q in items:
        out[p] = out.get(p, 0) + q
    return list(out.items())


def _status(ts: int, detail: FraudDetail | None, rnd: random.Random) -> tuple[str, int | None]:
    """Order status at the export date, and the delivery time when delivered."""
    ship = ts + int(rnd.uniform(0.3, 2.0) * DAY)
    arrive = ship + int(rnd.gammavariate(2.0, 1.0) * DAY) + 3600
    if detail is not None and detail.force_delivered:
        return "delivered", min(arrive, END_TS)
    r = rnd.random()
    if r < 0.02:
        return "cancelled", None
    if arrive > END_TS:
        return ("shipped" if ship <= END_TS else "processing"), None
    if r < 0.03:
        return "shipped", None  # lost in the post: never delivered
    return ("returned" if r < 0.06 else "delivered"), arrive


def _promo(ts: int, first: bool, rnd: random.Random) -> str:
    """Legitimate promo use: welcome codes on first orders, seasonal codes otherwise."""
    day = (ts - 1_735_689_600) // DAY
    r = rnd.random()
    if first and r < 0.08:
        return PROMO_FIRST_ORDER
    if 320 <= day <= 335 and r < 0.12:
        return "BLACKFRIDAY25"
    if day >= 335 and r < 0.05:
        return "XMAS10"
    if 151 <= day <= 243 and r < 0.04:
        return "SUMMER15"
    return "SAVE5" if r < 0.015 else ""


class OrderRenderer:
    """Writes web shop orders/items and marketplace orders, one skeleton order at a time."""

    def __init__(
        self,
        sink: Sink,
        pop: Population,
        catalog: Catalog,
        details: list[FraudDetail],
        seed: int,
        rnd: random.Random,
        noise: Noise,
    ) -> None:
        self.pop, self.catalog, self.details = pop, catalog, details
        self.rnd, self.noise = rnd, noise
        self.ws_orders = sink.csv("raw/webshop/orders.csv", WS_ORDER_COLUMNS)
        self.ws_items = sink.csv(
            "raw/webshop/order_items.csv",
            ["order_id", "line", "product_id", "quantity", "unit_price"],
        )
        self.mp_orders = sink.jsonl("raw/marketplace/orders.jsonl")
        self._mp_ids = OpaqueIds(seed, "MP-", 12)
        self._count = {WEBSHOP: 0, MARKETPLACE: 0}
        self._ordered = bytearray(len(pop.accounts.person))
        self.app_account = {
            p: a
            for a, (p, plat) in enumerate(
                zip(pop.accounts.person, pop.accounts.platform, strict=True)
            )
            if plat == APP
        }

    def _next_id(self, platform: int) -> str:
        k = self._count[platform]
        self._count[platform] += 1
        return seq_id("WS-O", k) if platform == WEBSHOP else self._mp_ids(k)

    def _identifiers(
        self, person: Person, pi: int, platform: int, detail: FraudDetail | None
    ) -> tuple[str, str, str, str, Address]:
        """channel, device, ip, card, shipping address (fraud details win)."""
        rnd = self.rnd
        d = detail or FraudDetail()
        app = (
            platform == WEBSHOP and not d.web_only and pi in self.app_account and rnd.random() < 0.6
        )
        channel = "app" if app else "web"
        device = d.device or (person.app_device if app else rnd.choice(person.browsers))
        ip = d.ip or (rnd.choice(person.ips) if rnd.random() < 0.75 else ipv4(rnd, None))
        card = d.card or (person.cards[0] if rnd.random() < 0.8 else rnd.choice(person.cards))
        gift = rnd.random() < 0.07
        addr = d.address or (random_address(person.country, rnd) if gift else person.address)
        return channel, device, ip, card, addr

    def _price(
        self, items: list[tuple[int, int]], platform: int, currency: str
    ) -> list[tuple[int, int, int, float]]:
        out = []
        for p, q in items:
            li = self.catalog.listing_for(platform, p, self.rnd)
            lst = self.catalog.listings[li]
            unit = lst.price / EUR_RATE[lst.currency] * EUR_RATE[currency]
            if platform == WEBSHOP and self.rnd.random() < 0.1:
                unit *= self.rnd.uniform(0.7, 0.9)  # sale price
            out.append((p, q, li, round(unit, 2)))
        return out

    def place(
        self, account: int, ts: int, items: list[tuple[int, int]], fraud: int, extra: int
    ) -> Placed:
        """Render one order to its platform's raw table and return what was decided."""
        pop, rnd = self.pop, self.rnd
        platform, pi = pop.accounts.platform[account], pop.accounts.person[account]
        person = pop.persons[pi]
        detail = self.details[extra] if extra >= 0 else None
        channel, device, ip, card, addr = self._identifiers(person, pi, platform, detail)
        status, delivered = _status(ts, detail, rnd)
        first = not self._ordered[account]
        self._ordered[account] = 1
        promo = detail.promo if detail and detail.promo else _promo(ts, first, rnd)
        currency = order_currency(person)
        priced = self._price(_merge(items), platform, currency)
        subtotal = sum(u * q for _, q, _, u in priced) * (1 - PROMOS.get(promo, 0.0))
        total = round(subtotal + (0.0 if subtotal >= 50 else 4.99), 2)
        placed = Placed(
            platform,
            self._next_id(platform),
            account,
            person,
            ts,
            status,
            delivered,
            priced,
            total,
            currency,
            channel,
            device,
            ip,
            FRAUD_TYPES[fraud],
            detail,
        )
        if platform == WEBSHOP:
            self._write_webshop(placed, promo, card, addr)
        else:
            self._write_marketplace(placed, promo, card, addr)
        return placed

    def _write_webshop(self, o: Placed, promo: str, card: str, addr: Address) -> None:
        rnd, noise = self.rnd, self.noise
        name = f"{first_name_variant(o.person.first, rnd)} {o.person.last}"
        self.ws_orders.write(
            [
                o.order_id,
                self.pop.accounts.raw_id[o.account],
                iso(o.ts, rnd),
                o.channel,
                noise.text(o.status, 0.02),
                o.currency,
                money(o.total, o.currency, rnd),
                noise.text(promo, 0.03),
                card,
                noise.field(name, 0.01),
                noise.field(street(addr, rnd)),
                noise.text(addr.city),
                noise.missing(addr.postcode, 0.03),
                country_field(addr.country, rnd),
                o.device,
                o.ip,
                iso(o.delivered) if o.delivered is not None else "",
            ]
        )
        for line, (_, q, li, unit) in enumerate(o.items, start=1):
            self.ws_items.write(
                [
                    o.order_id,
                    line,
                    self.catalog.listings[li].raw_id,
                    q,
                    noise.text(money(unit, o.currency, rnd), 0.02),
                ]
            )

    def _write_marketplace(self, o: Placed, promo: str, card: str, addr: Address) -> None:
        rnd, noise = self.rnd, self.noise
        name = marketplace_name(o.person.first, o.person.last, rnd)
        self.mp_orders.write(
            {
                "order_id": o.order_id,
                "buyer_id": self.pop.accounts.raw_id[o.account],
                "created": o.ts,
                "status": noise.text(o.status, 0.02),
                "currency": o.currency,
                "total": o.total,
                "coupon": promo or None,
                "payment": {"method": "card", "card_number": card},
                "shipping": {
                    "name": noise.text(name),
                    "address": noise.text(address_line(addr, rnd)),
                },
                "ip": o.ip,
                "device_id": o.device,
                "delivered": o.delivered,
                "items": [
                    {"listing_id": self.catalog.listings[li].raw_id, "qty": q, "price": unit}
                    for _, q, li, unit in o.items
                ],
            }
        )
