"""A small, deterministic e-commerce graph for the foundation demo and for load benchmarks.

Not the marketplace data set (``testbeds.marketplace`` is): just users, products, orders and the
identifiers that tie accounts together, with a few planted rings of accounts sharing a device and
a card, so Browser has something to show and the writer has realistic fan-out to load.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from graph.records import NodeRecord, RelRecord

CATEGORIES = (
    "Phones",
    "Phone Cases",
    "Chargers",
    "Headphones",
    "Laptops",
    "Laptop Bags",
    "Kitchen",
    "Coffee",
    "Shoes",
    "Jackets",
    "Books",
    "Toys",
)
BRANDS = (
    "Acme",
    "Borealis",
    "Corvid",
    "Dynamo",
    "Ember",
    "Fjord",
    "Gale",
    "Helix",
    "Ion",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Monsoon",
    "Nimbus",
    "Onyx",
    "Pylon",
    "Quartz",
    "Rune",
    "Solace",
    "Tundra",
)
START = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SampleSize:
    """Defaults give a graph Browser draws comfortably; ``orders`` drives everything else."""

    users: int = 500
    products: int = 200
    orders: int = 2_000
    rings: int = 5
    ring_size: int = 4

    @classmethod
    def for_elements(cls, elements: int) -> SampleSize:
        """A size whose nodes + relationships total about ``elements`` (≈ 5.4 per order)."""
        orders = max(1, int(elements / 5.4))
        return cls(
            users=max(10, orders // 5),
            products=max(10, orders // 50),
            orders=orders,
            rings=max(1, orders // 2_000),
        )


def sample_graph(size: SampleSize, seed: int = 7) -> tuple[list[NodeRecord], list[RelRecord]]:
    """All nodes and relationships of the sample graph; the same seed gives the same records."""
    rng = np.random.default_rng(seed)
    nodes: list[NodeRecord] = []
    rels: list[RelRecord] = []
    nodes += [NodeRecord("Category", c, {"name": c}) for c in CATEGORIES]
    nodes += [NodeRecord("Brand", b, {"name": b}) for b in BRANDS]
    nodes += list(_products(size, rng, rels))
    nodes += list(_users(size, rng, rels))
    nodes += list(_orders(size, rng, rels))
    return nodes, rels


def _products(
    size: SampleSize, rng: np.random.Generator, rels: list[RelRecord]
) -> Iterator[NodeRecord]:
    cats = rng.integers(0, len(CATEGORIES), size.products)
    brands = rng.integers(0, len(BRANDS), size.products)
    prices = np.round(rng.lognormal(3.5, 1.0, size.products), 2)
    for i in range(size.products):
        key = f"P{i:06d}"
        cat, brand = CATEGORIES[cats[i]], BRANDS[brands[i]]
        rels.append(RelRecord("IN_CATEGORY", "Product", key, "Category", cat))
        rels.append(RelRecord("MADE_BY", "Product", key, "Brand", brand))
        yield NodeRecord(
            "Product",
            key,
            {
                "title": f"{brand} {cat[:-1] if cat.endswith('s') else cat} {i}",
                "price": float(prices[i]),
            },
        )


def _users(
    size: SampleSize, rng: np.random.Generator, rels: list[RelRecord]
) -> Iterator[NodeRecord]:
    ring_members = size.rings * size.ring_size
    for i in range(size.users):
        key = f"U{i:06d}"
        ring = i // size.ring_size if i < ring_members else None
        device = f"dev-ring{ring}" if ring is not None else f"dev-{i:06d}"
        card = f"card-ring{ring}" if ring is not None else f"card-{i:06d}"
        email = f"email-{i:06d}"
        for label, rel_type, ident in (
            ("Device", "USED_DEVICE", device),
            ("Card", "USED_CARD", card),
            ("Email", "HAS_EMAIL", email),
        ):
            if ring is None or i % size.ring_size == 0 or label == "Email":
                yield NodeRecord(label, ident, {})
            rels.append(RelRecord(rel_type, "User", key, label, ident))
        created = START + timedelta(days=int(rng.integers(0, 180)))
        yield NodeRecord(
            "User",
            key,
            {
                "platform": ["webshop", "marketplace", "app"][i % 3],
                "created_at": created,
                "is_fraud": ring is not None,
            },
        )


def _orders(
    size: SampleSize, rng: np.random.Generator, rels: list[RelRecord]
) -> Iterator[NodeRecord]:
    pop = 1.0 / np.arange(1, size.products + 1) ** 0.8  # Zipf-like popularity skew
    pop /= pop.sum()
    buyers = rng.integers(0, size.users, size.orders)
    n_items = rng.integers(1, 4, size.orders)
    minutes = rng.integers(0, 365 * 24 * 60, size.orders)
    for i in range(size.orders):
        key, user = f"O{i:07d}", f"U{buyers[i]:06d}"
        items = np.unique(rng.choice(size.products, n_items[i], p=pop))
        rels.append(RelRecord("PLACED", "User", user, "Order", key))
        for p in items:
            rels.append(
                RelRecord("CONTAINS", "Order", key, "Product", f"P{p:06d}", {"quantity": 1})
            )
        yield NodeRecord(
            "Order",
            key,
            {"created_at": START + timedelta(minutes=int(minutes[i])), "items": len(items)},
        )
