"""Online order scoring between the HTTP schema and the layers below.

The API owns no cleaning and no writing: a ``CheckoutCleaner`` (``extraction.checkout``) turns
raw identifiers into graph keys and an ``OrderWriter`` (``graph.orders``) stores a scored order.
Both are injected by the composition root (``cartograph serve``, test fixtures), so this package
never builds a pseudonymiser from settings or imports ``extraction``. What stays here is the
mapping between ``OrderIn``/``Risk`` and those plain values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from api.schemas import BrowserLink, OrderIn, Risk, RiskReason
from cartograph.errors import InvalidInputError
from gnn.fraud.online import OnlineScore
from gnn.fraud.online_features import Checkout, Neighbourhood
from graph.orders import ScoredOrder


class CheckoutCleaner(Protocol):
    """Raw identifier values → pseudonymous graph keys, as at ingestion."""

    def key(self, label: str, value: Any) -> str | None:
        """``None`` when ``value`` is; raises ``InvalidInputError`` when it is unreadable."""
        ...

    def country(self, name: str) -> str:
        """ISO alpha-2 for a code or country name; ``InvalidInputError`` when unknown."""
        ...


class OrderWriter(Protocol):
    """Creates one scored order; raises ``cartograph.errors.ConflictError`` (409) and writes
    nothing when an order with its key is stored already."""

    def write(self, order: ScoredOrder) -> None: ...


def to_checkout(order: OrderIn, cleaner: CheckoutCleaner) -> Checkout:
    """The checkout the model scores: identifiers as graph keys, the time zone required."""
    address = None
    if order.address is not None:
        a = order.address
        address = {"street": a.line1, "city": a.city, "postcode": a.postcode,
                   "country": a.country}  # fmt: skip
    at = order.created_at or datetime.now(UTC)
    if at.tzinfo is None:
        raise InvalidInputError("created_at needs a time zone (e.g. '2025-06-01T12:00:00Z')")
    return Checkout(
        user=order.user,
        products=[i.product for i in order.items],
        at=at,
        card=cleaner.key("Card", order.card_number),
        device=cleaner.key("Device", order.device),
        ip=cleaner.key("IP", None if order.ip is None else str(order.ip)),
        address=cleaner.key("Address", address),
        email=cleaner.key("Email", order.email),
        total=order.total,
        platform=order.user.split(":", 1)[0] if ":" in order.user else None,
        channel=order.channel,
        ship_country=cleaner.country(order.address.country) if order.address else None,
    )


def scored_order(
    key: str, order: OrderIn, c: Checkout, nb: Neighbourhood, s: OnlineScore, model: str
) -> ScoredOrder:
    """What the graph stores; without a total the basket counts at list prices."""
    total = float(c.total or 0.0)
    if c.total is None:
        total = sum(float(p.get("price") or 0.0) for p in nb.account["products"])
    return ScoredOrder(
        key=key,
        user=c.user,
        at=c.at,
        total=total,
        risk_score=s.risk,
        risk_model=model,
        items=[(i.product, i.quantity) for i in order.items],
        identifiers=c.identifiers(),
        email=c.email,
        platform=c.platform,
        channel=c.channel,
        ship_country=c.ship_country,
        new_user=not nb.account.get("found"),
    )


def order_risk(
    key: str, c: Checkout, nb: Neighbourhood, s: OnlineScore, model: str | None, cypher: str,
    persisted: bool,
) -> Risk:  # fmt: skip
    """The answer to ``POST /orders/score``: each relation's evidence, strongest impact first,
    and the Browser query (``cypher``: ``checkout_graph``) that draws it."""
    reasons = [
        RiskReason(
            relation=r["rel"],
            kind=r["kind"],
            node=r["node"],
            other_users=int(r["users"]) - int(bool(r["has_user"])),
            chargebacks=int(r["known_bad"]),
            impact=s.impact.get(r["rel"]),
        )
        for r in nb.identifiers
    ]
    if "PLACED" in s.impact:
        tied = len([k for k in nb.account.get("tied") or [] if k])
        reasons.append(
            RiskReason(relation="PLACED", kind="User", node=c.user, other_users=tied,
                       chargebacks=0, impact=s.impact["PLACED"])
        )  # fmt: skip
    reasons.sort(key=lambda r: -(r.impact or 0.0))
    ids = c.identifiers()
    params: dict[str, Any] = {
        "user": c.user,
        "card": ids.get("Card", ""),
        "device": ids.get("Device", ""),
        "ip": ids.get("IP", ""),
        "address": ids.get("Address", ""),
        "limit": 200,
    }
    return Risk(
        kind="order",
        key=key,
        risk_score=s.risk,
        model=model,
        reasons=reasons,
        browser=BrowserLink(query="checkout_graph", params=params),
        cypher=cypher,
        persisted=persisted,
    )
