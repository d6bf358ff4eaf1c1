"""Graph features are computed as of each order's own time: later orders never change them."""

import numpy as np
import torch
from torch_geometric.data import HeteroData

from gnn.graph_features import graph_features

DAY = 86_400.0


def shared_card(n_orders: int) -> HeteroData:
    """Orders ``i`` by user ``i`` (one per user), hours apart, all on one card and one device;
    order 0 gets a chargeback reported before order 2."""
    data = HeteroData()
    data["Order"].num_nodes = n_orders
    data["Order"].time = torch.arange(n_orders, dtype=torch.float64) * 3600.0
    data["Order"].is_chargeback = torch.tensor([1.0] + [0.0] * (n_orders - 1), dtype=torch.float64)
    data["Order"].chargeback_at = torch.tensor([1.5 * 3600.0] + [float("nan")] * (n_orders - 1))
    data["User"].num_nodes = n_orders
    data["User"].time = torch.full((n_orders,), -DAY, dtype=torch.float64)
    data["Card"].num_nodes = 1
    data["Device"].num_nodes = 1
    data["User", "PLACED", "Order"].edge_index = torch.arange(n_orders).repeat(2, 1)
    data["Order", "PAID_WITH", "Card"].edge_index = torch.stack(
        [torch.arange(n_orders), torch.zeros(n_orders, dtype=torch.long)]
    )
    data["Order", "PLACED_FROM", "Device"].edge_index = torch.stack(
        [torch.arange(n_orders), torch.zeros(n_orders, dtype=torch.long)]
    )
    return data


def test_counts_grow_with_time_not_with_the_final_graph() -> None:
    f = graph_features(shared_card(4))
    assert f["users_per_Card"].tolist() == [1, 2, 3, 4]
    assert f["component_users"].tolist() == [1, 2, 3, 4]
    assert f["Card_orders_24h"].tolist() == [0, 1, 2, 3]
    assert f["known_bad_Card"].tolist() == [0, 0, 1, 1]  # reported at 1.5 h: known from order 2


def test_adding_later_orders_leaves_earlier_features_unchanged() -> None:
    small, big = graph_features(shared_card(3)), graph_features(shared_card(6))
    for name, values in small.items():
        if name == "user_pagerank":
            continue  # snapshot-based, checked below
        np.testing.assert_array_equal(values, big[name][:3], err_msg=name)


def test_pagerank_comes_from_a_snapshot_before_the_order() -> None:
    f = graph_features(shared_card(5))
    assert (f["user_pagerank"] == 0).all()  # all within the first snapshot: no earlier graph
