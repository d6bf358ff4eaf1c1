"""A tiny marketplace with planted fraud rings, for tests and the integration check.

Legitimate accounts buy with their own card and device; rings of fresh accounts share one card
and one device and their orders end in chargebacks that arrive 10-40 days later. Small enough
to train on in seconds, structured enough that graph signals matter.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np

from graph.reader import GraphArrays
from graph.records import NodeRecord, RelRecord

START = datetime(2025, 1, 1, tzinfo=UTC)


def toy_fraud_records(
    users: int = 120, rings: int = 10, ring_size: int = 4, seed: int = 7
) -> tuple[list[NodeRecord], list[RelRecord]]:
    """Nodes and relationships of the toy graph; the same seed gives the same records."""
    rng = np.random.default_rng(seed)
    nodes: list[NodeRecord] = [
        NodeRecord("Product", f"P{i}", {"price": float(10 + i)}) for i in range(8)
    ]
    rels: list[RelRecord] = []
    order_no = 0

    def order(user: str, card: str, device: str, when: datetime, fraud: bool) -> None:
        nonlocal order_no
        key = f"O{order_no:05d}"
        order_no += 1
        props: dict[str, object] = {"created_at": when, "total": float(rng.uniform(10, 300))}
        if fraud:
            props["is_chargeback"] = True
            props["chargeback_at"] = when + timedelta(days=int(rng.integers(10, 40)))
        nodes.append(NodeRecord("Order", key, props))
        rels.append(RelRecord("PLACED", "User", user, "Order", key))
        rels.append(RelRecord("PAID_WITH", "Order", key, "Card", card))
        rels.append(RelRecord("PLACED_FROM", "Order", key, "Device", device))
        rels.append(RelRecord("CONTAINS", "Order", key, "Product", f"P{int(rng.integers(0, 8))}"))

    for i in range(users):
        user, card, device = f"toy:U{i:04d}", f"card-{i}", f"dev-{i}"
        nodes += [NodeRecord("Card", card), NodeRecord("Device", device)]
        nodes.append(NodeRecord("User", user, {"created_at": START - timedelta(days=30)}))
        for day in sorted(rng.integers(0, 360, int(rng.integers(2, 6))).tolist()):
            order(
                user,
                card,
                device,
                START + timedelta(days=day, hours=int(rng.integers(0, 24))),
                False,
            )
    for r in range(rings):
        card, device, t0 = f"card-ring{r}", f"dev-ring{r}", int(rng.integers(0, 330))
        nodes += [NodeRecord("Card", card), NodeRecord("Device", device)]
        for m in range(ring_size):
            user = f"toy:R{r:02d}-{m}"
            nodes.append(NodeRecord("User", user, {"created_at": START + timedelta(days=t0)}))
            for _ in range(2):
                when = START + timedelta(
                    days=t0 + int(rng.integers(0, 20)), hours=int(rng.integers(0, 24))
                )
                order(user, card, device, when, True)
    return nodes, rels


def records_to_arrays(
    nodes: list[NodeRecord], rels: list[RelRecord], props: dict[str, list[str]]
) -> GraphArrays:
    """What ``export_graph`` would return for these records (keys sorted per label)."""
    out = GraphArrays()
    by_label: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
    for n in nodes:
        by_label[n.label][n.key] = dict(n.props)
    for label in sorted(by_label):
        keys = sorted(by_label[label])
        out.node_keys[label] = keys
        out.node_props[label] = {
            p: np.asarray([by_label[label][k].get(p) for k in keys], dtype=object)
            for p in props.get(label, [])
        }
    index = {label: out.index_of(label) for label in out.node_keys}
    pairs: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    for r in rels:
        pairs[(r.start_label, r.type, r.end_label)].append(
            (index[r.start_label][r.start_key], index[r.end_label][r.end_key])
        )
    for et in sorted(pairs):
        out.edges[et] = np.asarray(sorted(pairs[et]), dtype=np.int64).T.copy()
        out.edge_props[et] = {}
    return out
