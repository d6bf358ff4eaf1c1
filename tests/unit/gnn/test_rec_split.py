"""Temporal split, evaluation sets and the leakage guard of the training graph."""

from datetime import UTC, datetime

import numpy as np
import pytest
import torch

from gnn.features import to_epoch_seconds
from gnn.message_graph import BOUGHT, LeakageError, build_message_graph, check_no_leakage
from gnn.split import (
    Interactions,
    SplitConfig,
    SplitError,
    eval_set,
    purchase_interactions,
    temporal_split,
)
from gnn.synthetic import toy_purchase_graph

CFG = SplitConfig()


def test_interactions_follow_placed_then_contains_in_time_order() -> None:
    data = toy_purchase_graph(seed=1)
    inter = purchase_interactions(data, CFG)
    assert len(inter) == data["Order", "CONTAINS", "Product"].num_edges
    assert bool((inter.time[1:] >= inter.time[:-1]).all())
    order_of_user = dict(zip(*data["User", "PLACED", "Order"].edge_index.tolist(), strict=True))
    assert set(order_of_user) <= set(range(data["User"].num_nodes))


def test_cuts_are_global_quantiles_unless_given() -> None:
    data = toy_purchase_graph(seed=1)
    split = temporal_split(data)
    d = split.describe()
    assert split.t1 < split.t2
    assert sum(d["interactions"].values()) == len(split.interactions)
    assert d["interactions"]["test"] == pytest.approx(0.1 * len(split.interactions), abs=2)
    fixed = temporal_split(data, SplitConfig(t1=1.75e9, t2=1.76e9))
    assert (fixed.t1, fixed.t2) == (1.75e9, 1.76e9)
    with pytest.raises(SplitError):
        temporal_split(data, SplitConfig(t1=2e9, t2=1e9))


def test_missing_order_times_are_a_clear_error() -> None:
    data = toy_purchase_graph()
    del data["Order"].time
    with pytest.raises(SplitError, match="E502"):
        purchase_interactions(data, CFG)


def test_eval_set_targets_new_items_and_masks_history() -> None:
    history = _inter([(0, 1, 1.0), (2, 0, 1.0)])
    future = _inter([(0, 1, 5.0), (0, 2, 5.0), (1, 3, 6.0), (2, 0, 7.0)])
    ev = eval_set(history, future, num_items=4)
    assert ev.users.tolist() == [0, 1]  # user 2 only re-bought: no target
    assert ev.targets.tolist() == [[0, 1], [2, 3]]
    assert ev.exclude.tolist() == [[0], [1]]
    cold = ev.restrict(torch.tensor([False, False, False, True]))
    assert cold.users.tolist() == [1] and cold.targets.tolist() == [[0], [3]]
    assert cold.exclude.shape == (2, 0)


def test_training_graph_holds_nothing_from_after_the_cut() -> None:
    data = toy_purchase_graph(seed=2)
    split = temporal_split(data)
    graph, left_out = build_message_graph(
        data, split.interactions.window(None, split.t1), split.t1, CFG
    )
    bought = graph["User", BOUGHT, "Product"]
    assert bool((bought.time < split.t1).all())
    assert bool((graph["Review"].time < split.t1).all())
    assert graph["Review"].num_nodes < data["Review"].num_nodes
    assert "Order" not in graph.node_types
    assert ("Product", "IN_CATEGORY", "Category") in graph.edge_types  # static: kept
    assert ("Product", "rev_BOUGHT", "User") in graph.edge_types
    assert left_out["untimed"] == ["VIEWED"]
    # a late purchase passed in by mistake is still cut away
    leaky = split.interactions
    graph2, _ = build_message_graph(data, leaky, split.t1, CFG)
    assert graph2["User", BOUGHT, "Product"].num_edges == bought.num_edges


def test_leakage_check_raises_on_a_late_edge() -> None:
    graph = _train_graph()
    store = graph["User", BOUGHT, "Product"]
    store.time = store.time.clone()
    store.time[0] = 2e9  # one purchase from the future
    with pytest.raises(LeakageError, match="BOUGHT"):
        check_no_leakage(graph, 1.9e9, CFG.static_rel_types)


def test_leakage_check_raises_on_a_late_node_and_an_untimed_behaviour_edge() -> None:
    graph = _train_graph()
    graph["Review"].time = graph["Review"].time.clone()
    graph["Review"].time[-1] = float("nan")  # unknown time cannot be proven early
    with pytest.raises(LeakageError, match="Review"):
        check_no_leakage(graph, 1.9e9, CFG.static_rel_types)
    graph = _train_graph()
    graph["User", "VIEWED", "Product"].edge_index = torch.tensor([[0], [0]])
    with pytest.raises(LeakageError, match="VIEWED"):
        check_no_leakage(graph, 1.9e9, CFG.static_rel_types)


def test_epoch_seconds_from_driver_like_and_plain_values() -> None:
    class DriverDateTime:  # what neo4j.time.DateTime offers
        def to_native(self) -> datetime:
            return datetime(2025, 1, 1, tzinfo=UTC)

    values = np.array(
        [DriverDateTime(), datetime(2025, 1, 1, tzinfo=UTC), "2025-01-01T00:00:00Z", 5, None],
        dtype=object,
    )
    out = to_epoch_seconds(values)
    assert out[:3].tolist() == [1_735_689_600.0] * 3
    assert out[3] == 5.0 and np.isnan(out[4])


def _inter(rows: list[tuple[int, int, float]]) -> Interactions:
    u, i, t = zip(*rows, strict=True)
    return Interactions(torch.tensor(u), torch.tensor(i), torch.tensor(t, dtype=torch.float64))


def _train_graph():  # type: ignore[no-untyped-def]
    data = toy_purchase_graph(seed=3)
    split = temporal_split(data)
    graph, _ = build_message_graph(data, split.interactions, split.t1, CFG)
    check_no_leakage(graph, split.t1, CFG.static_rel_types)  # clean as built
    return graph
