"""Store one order scored online: the order, its account, items and identifiers, as ingestion
would have written them, plus ``risk_score``/``risk_model``.

Takes plain values (a ``ScoredOrder``), not a model's or an HTTP schema's types, so whoever scores
an order (the API today, a stream consumer later) can persist it. Persisting only ever creates an
order: a key that is already stored raises ``ConflictError`` and the write transaction, which
holds the order and everything it links to, commits nothing (a caller cannot overwrite another
caller's order, nor attach a second buyer or card to it). The account, products and identifiers
it links to are MERGEd, as ingestion writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from neo4j import ManagedTransaction
from neo4j.exceptions import ConstraintError, Neo4jError

import cypher
from cartograph.errors import ConflictError, GraphWriteError
from graph.connection import Driver
from graph.records import NodeRecord, RelRecord, fill_identifiers
from graph.writer import GraphWriter, node_params, reachable, rel_params, split_times

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
    """Creates scored orders in one database; the driver is passed in, never built here."""

    def __init__(self, driver: Driver, database: str = "neo4j") -> None:
        self.driver, self.database = driver, database
        self._schema = GraphWriter(driver, database)

    def write(self, order: ScoredOrder) -> None:
        """Create the order and link it, in one transaction; ``ConflictError`` when its key is
        stored already (then nothing is written). A driver retry after a lost commit
        acknowledgement also answers ``ConflictError``: the order is stored, once."""
        nodes, rels = order_records(order)
        for label in {n.label for n in nodes}:  # the order_key constraint keeps races apart
            self._schema.ensure_key_constraint(label)
        try:
            with (
                reachable(f"creating order {order.key!r}"),
                self.driver.session(database=self.database) as session,
            ):
                session.execute_write(_create, nodes, rels)
        except ConstraintError as exc:  # a concurrent create of the same key committed first
            raise ConflictError(_exists(order.key)) from exc
        except Neo4jError as exc:
            raise GraphWriteError(f"order {order.key!r} failed: {exc}", code="E301") from exc


def _exists(key: str) -> str:
    return f"an order with key {key!r} is already stored; persisting creates new orders only"


def _create(tx: ManagedTransaction, nodes: list[NodeRecord], rels: list[RelRecord]) -> None:
    """The order node first (refused when its key exists), then nodes, then relationships."""
    head, *rest = nodes
    props, times = split_times(head.props)
    row = tx.run(cypher.load("writes/create_order"), key=head.key, props=props, times=times)
    record = row.single()
    if record is None or not record["created"]:
        raise ConflictError(_exists(head.key))  # raised inside: the transaction rolls back
    for node in rest:
        query = fill_identifiers(cypher.load("writes/merge_nodes"), label=node.label)
        tx.run(query, **node_params([node])).consume()
    for rel in rels:
        start_label, rel_type, end_label = rel.group
        query = fill_identifiers(
            cypher.load("writes/merge_relationships"),
            start_label=start_label, end_label=end_label, type=rel_type,
        )  # fmt: skip
        tx.run(query, **rel_params([rel])).consume()
