"""A tiny purchase graph with a known structure, for tests and quick smoke runs without Neo4j.

Users each prefer one category and mostly buy its products, at times spread over one year, so
a working recommender beats random on it and a broken split shows up. It has every ingredient
the real export has: timed orders and reviews, a static catalogue relation, an untimed
behavioural relation (views), product features and tokens, and ``node_key`` on every type.
"""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import HeteroData

YEAR_START = 1_735_689_600.0  # 2025-01-01T00:00:00Z
YEAR = 365 * 86_400.0


def toy_purchase_graph(
    num_users: int = 40, num_items: int = 30, num_orders: int = 400, seed: int = 0
) -> HeteroData:
    """Users, products (in ``num_items // 6`` categories), orders, reviews and views."""
    rng = np.random.default_rng(seed)
    n_cat = max(2, num_items // 6)
    item_cat = np.arange(num_items) % n_cat
    user_cat = rng.integers(0, n_cat, num_users)
    buyer = rng.integers(0, num_users, num_orders)
    same = rng.random(num_orders) < 0.8
    own = [rng.choice(np.flatnonzero(item_cat == c)) for c in user_cat[buyer]]
    item = np.where(same, own, rng.integers(0, num_items, num_orders))
    data = HeteroData()
    for label, n in (("User", num_users), ("Product", num_items), ("Category", n_cat)):
        data[label].node_key = [f"{label[0]}{i}" for i in range(n)]
        data[label].num_nodes = n
    data["Order"].node_key = [f"O{i}" for i in range(num_orders)]
    data["Order"].num_nodes = num_orders
    data["Order"].time = torch.from_numpy(YEAR_START + np.sort(rng.random(num_orders)) * YEAR)
    data["Product"].x = torch.from_numpy(rng.normal(size=(num_items, 2)).astype(np.float32))
    data["Product"].tokens = torch.from_numpy(np.stack([item_cat + 1, np.zeros_like(item_cat)], 1))
    _edges(data, ("User", "PLACED", "Order"), buyer, np.arange(num_orders))
    _edges(data, ("Order", "CONTAINS", "Product"), np.arange(num_orders), item)
    _edges(data, ("Product", "IN_CATEGORY", "Category"), np.arange(num_items), item_cat)
    _edges(data, ("User", "VIEWED", "Product"), buyer[::3], item[::3])
    reviewed = np.arange(0, num_orders, 5)
    data["Review"].node_key = [f"R{i}" for i in range(reviewed.size)]
    data["Review"].num_nodes = int(reviewed.size)
    data["Review"].time = data["Order"].time[reviewed] + 86_400.0
    data["Review"].x = torch.from_numpy(rng.integers(1, 6, (reviewed.size, 1)).astype(np.float32))
    _edges(data, ("User", "WROTE", "Review"), buyer[reviewed], np.arange(reviewed.size))
    _edges(data, ("Review", "REVIEWS", "Product"), np.arange(reviewed.size), item[reviewed])
    return data


def _edges(data: HeteroData, et: tuple[str, str, str], src: np.ndarray, dst: np.ndarray) -> None:
    data[et].edge_index = torch.from_numpy(np.stack([src, dst]).astype(np.int64))
