"""Store a checkout scored online: the order, its account, items and identifiers, as ingestion
would have written them, plus ``risk_score``/``risk_model``. Through ``GraphWriter`` (batched,
idempotent MERGE), so a retried request writes nothing twice."""

from __future__ import annotations

from typing import Any

from api.schemas import OrderIn
from gnn.fraud.online import OnlineScore
from gnn.fraud.online_features import Checkout, Neighbourhood
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


def order_records(
    key: str, order: OrderIn, c: Checkout, nb: Neighbourhood, s: OnlineScore, model: str
) -> tuple[list[NodeRecord], list[RelRecord]]:
    """The records of one checkout (pure: tested without a server)."""
    props: dict[str, Any] = {
        "created_at": c.at,
        "total": float(c.total or 0.0),
        "risk_score": s.risk,
        "risk_model": model,
    }
    if c.total is None:
        props["total"] = sum(float(p.get("price") or 0.0) for p in nb.account["products"])
    if c.platform:
        props["platform"] = c.platform
    if c.channel:
        props["channel"] = c.channel
    user_props: dict[str, Any] = {}
    if not nb.account.get("found"):
        user_props = {"created_at": c.at, **({"platform": c.platform} if c.platform else {})}
    nodes = [NodeRecord("Order", key, props), NodeRecord("User", c.user, user_props)]
    rels = [RelRecord("PLACED", "User", c.user, "Order", key)]
    for item in order.items:
        rels.append(
            RelRecord(
                "CONTAINS", "Order", key, "Product", item.product, {"quantity": item.quantity}
            )
        )
    for label, ident in c.identifiers().items():
        extra = {"country": c.ship_country} if label == "Address" and c.ship_country else {}
        nodes.append(NodeRecord(label, ident, extra))
        order_rel, user_rel = LINKS[label]
        rels.append(RelRecord(order_rel, "Order", key, label, ident))
        if user_rel:
            rels.append(RelRecord(user_rel, "User", c.user, label, ident))
    if c.email:
        nodes.append(NodeRecord("Email", c.email))
        rels.append(RelRecord("HAS_EMAIL", "User", c.user, "Email", c.email))
    return nodes, rels


def persist_order(
    driver: Driver,
    database: str,
    key: str,
    order: OrderIn,
    c: Checkout,
    nb: Neighbourhood,
    s: OnlineScore,
    model: str,
) -> None:
    """Write the checkout; nodes first so every relationship finds its ends."""
    nodes, rels = order_records(key, order, c, nb, s, model)
    writer = GraphWriter(driver, database)
    writer.write_nodes(nodes)
    writer.write_relationships(rels)
