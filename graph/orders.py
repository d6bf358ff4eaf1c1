"""Store one order scored online: the order, its account, items and identifiers, as ingestion
would have written them, plus ``risk_score``/``risk_model``.

Takes plain values (a ``ScoredOrder``), not a model's or an HTTP schema's types, so whoever scores
an order (the API today, a stream consumer later) can persist it. Writes go through
``GraphWriter`` (batched, idempotent MERGE), so a retried request writes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.connection import Driver
from graph.records import NodeRecord, RelRecord
from graph.writer import GraphWriter

# Identifier label → (Order relationship, User relationship), as in the marketplace mapping.
LINKS = {
    "Card": ("PAID_WITH", "USED_CARD"),
    "Device": ("PLACED_FROM", "USED_DEVICE"),
    "IP": ("FROM_IP", "USED_IP"),
    "Address": ("SHIPPED_TO", None),
}


@dataclass(frozen=True)
class ScoredOrder:
    """An order as the graph stores it; identifiers are pseudonymous graph keys already."""

    key: str
    user: str
    at: datetime
    total: float
    risk_score: float
    risk_model: str
    items: list[tuple[str, int]]  # (product key, quantity)
    identifiers: dict[str, str] = field(default_factory=dict)  # label in LINKS → key
    email: str | None = None
    platform: str | None = None
    channel: str | None = None
    ship_country: str | None = None
    new_user: bool = False  # the account is created by this order: give it created_at/platform


def order_records(o: ScoredOrder) -> tuple[list[NodeRecord], list[RelRecord]]:
    """The records of one order (pure: tested without a server)."""
    props: dict[str, Any] = {
        "created_at": o.at,
        "total": o.total,
        "risk_score": o.risk_score,
        "risk_model": o.risk_model,
    }
    if o.platform:
        props["platform"] = o.platform
    if o.channel:
        props["channel"] = o.channel
    user_props: dict[str, Any] = {}
    if o.new_user:
        user_props = {"created_at": o.at, **({"platform": o.platform} if o.platform else {})}
    nodes = [NodeRecord("Order", o.key, props), NodeRecord("User", o.user, user_props)]
    rels = [RelRecord("PLACED", "User", o.user, "Order", o.key)]
    for product, quantity in o.items:
        rels.append(
            RelRecord("CONTAINS", "Order", o.key, "Product", product, {"quantity": quantity})
        )
    for label, ident in o.identifiers.items():
        extra = {"country": o.ship_country} if label == "Address" and o.ship_country else {}
        nodes.append(NodeRecord(label, ident, extra))
        order_rel, user_rel = LINKS[label]
        rels.append(RelRecord(order_rel, "Order", o.key, label, ident))
        if user_rel:
            rels.append(RelRecord(user_rel, "User", o.user, label, ident))
    if o.email:
        nodes.append(NodeRecord("Email", o.email))
        rels.append(RelRecord("HAS_EMAIL", "User", o.user, "Email", o.email))
    return nodes, rels


class ScoredOrderWriter:
    """Writes scored orders to one database; the driver is passed in, never built here."""

    def __init__(self, driver: Driver, database: str = "neo4j") -> None:
        self.driver, self.database = driver, database

    def write(self, order: ScoredOrder) -> None:
        """Nodes first, so every relationship finds its ends."""
        nodes, rels = order_records(order)
        writer = GraphWriter(self.driver, self.database)
        writer.write_nodes(nodes)
        writer.write_relationships(rels)
