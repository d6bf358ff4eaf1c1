"""Generic node classification: label delay, leakage check, given split on a non-marketplace
graph, metrics, and rebuilding a model from (config, state_dict)."""

import dataclasses
import math

import numpy as np
import pytest
import torch
from torch_geometric.data import HeteroData

from gnn.classify import (
    build_view,
    predict,
    rebuild_classifier,
    train_and_evaluate_classifier,
)
from gnn.classify_metrics import binary_metrics, recall_at_rate
from gnn.classify_spec import ClassifySpec, TrainConfig
from gnn.classify_split import check_no_leakage, node_split
from gnn.message_graph import LeakageError

DAY = 86_400.0


def timed_graph() -> HeteroData:
    """Six orders a day apart on one card; orders 0 and 3 are positives whose labels arrive
    on day 2 and day 10."""
    data = HeteroData()
    data["Order"].num_nodes = 6
    data["Order"].time = torch.arange(6, dtype=torch.float64) * DAY
    data["Order"].total = torch.ones(6, dtype=torch.float64)
    data["Order"].is_chargeback = torch.tensor([1, 0, 0, 1, 0, 0], dtype=torch.float64)
    data["Order"].chargeback_at = (
        torch.tensor([2, math.nan, math.nan, 10, math.nan, math.nan]) * DAY
    )
    data["Card"].num_nodes = 1
    data["Order", "PAID_WITH", "Card"].edge_index = torch.tensor([[0, 1, 2, 3, 4, 5], [0] * 6])
    return data


SPEC = ClassifySpec(
    "Order",
    "is_chargeback",
    label_time="chargeback_at",
    label_delay_days=0.0,
    valid_frac=0.34,
    test_frac=0.17,
)


def test_training_labels_count_only_once_they_have_arrived() -> None:
    split = node_split(timed_graph(), SPEC)
    fold = split.test
    assert torch.all(torch.tensor([i * DAY for i in fold.train.tolist()]) < fold.cut)
    known = dict(zip(fold.train.tolist(), fold.train_y.tolist(), strict=True))
    assert known[0] == 1.0  # reported on day 2, before the cut
    if 3 in known:
        assert known[3] == 0.0  # reported on day 10: not known at the cut, so it looks clean


def test_evaluation_only_on_matured_nodes() -> None:
    spec = ClassifySpec("Order", "is_chargeback", label_time="chargeback_at", label_delay_days=5.0)
    split = node_split(timed_graph(), spec)
    mature_end = split.info["mature_end"]
    assert mature_end == 5 * DAY  # data end (day 10) minus 5 days
    assert all(i * DAY <= mature_end for i in split.test.eval.tolist())


def test_causal_view_only_links_older_to_younger_and_passes_the_check() -> None:
    data = timed_graph()
    view = build_view(data, SPEC)
    ei = view.edges[("Order", "via_PAID_WITH", "Order")]
    assert ei.shape[1] > 0 and bool((view.time[ei[0]] < view.time[ei[1]]).all())
    split = node_split(data, SPEC)
    check_no_leakage(view.subgraph(split.test.train), _renumber(split.test), SPEC)


def _renumber(fold):  # type: ignore[no-untyped-def]
    import dataclasses

    return dataclasses.replace(fold, train=torch.arange(fold.train.numel()))


def test_leakage_check_raises_on_future_nodes_edges_and_labels() -> None:
    data = timed_graph()
    view = build_view(data, SPEC)
    split = node_split(data, SPEC)
    fold = split.test
    import dataclasses

    late = dataclasses.replace(
        fold, train=torch.arange(6), train_y=torch.zeros(6, dtype=torch.float64)
    )
    with pytest.raises(LeakageError, match="after the cut"):
        check_no_leakage(view, late, SPEC)
    backwards = dataclasses.replace(view, edges={("Order", "x", "Order"): torch.tensor([[1], [0]])})
    with pytest.raises(LeakageError, match="older"):
        check_no_leakage(backwards, _renumber(fold), SPEC)
    y = torch.zeros(fold.train.numel(), dtype=torch.float64)
    y[-1] = 1.0  # claims a label that only arrives on day 10
    leaky = dataclasses.replace(fold, train_y=y)
    with pytest.raises(LeakageError, match="labels"):
        check_no_leakage(view.subgraph(fold.train), _renumber(leaky), SPEC)


def user_graph(n: int = 300, seed: int = 0) -> HeteroData:
    """Not a marketplace: users with two numeric features, FOLLOWS edges, a given split, and
    a label that is 1 when the user's followees have a high score (only the graph knows)."""
    g = torch.Generator().manual_seed(seed)
    data = HeteroData()
    data["Person"].num_nodes = n
    score = torch.rand(n, generator=g, dtype=torch.float64)
    data["Person"].noise = torch.rand(n, generator=g, dtype=torch.float64)
    data["Person"].score = score
    src = torch.randint(0, n, (4 * n,), generator=g)
    dst = torch.arange(n).repeat(4)
    data["Person", "FOLLOWS", "Person"].edge_index = torch.stack([dst, src])
    mean = torch.zeros(n, dtype=torch.float64).index_add_(0, dst, score[src]) / 4
    data["Person"].risky = (mean > 0.55).double()
    part = torch.randint(0, 10, (n,), generator=g).double()
    data["Person"].split__values = ["test", "train", "valid"]
    data["Person"].split = torch.where(part < 6, 1.0, torch.where(part < 8, 2.0, 0.0))
    return data


@pytest.mark.parametrize("device", ["cpu", *(["cuda"] if torch.cuda.is_available() else [])])
def test_given_split_trains_on_a_non_marketplace_graph(device: str) -> None:
    data = user_graph()
    spec = ClassifySpec("Person", "risky", split="given", features=("noise", "score"))
    settings = TrainConfig(dim=16, max_epochs=60, patience=60, lr=0.02)
    entry, fitted, view = train_and_evaluate_classifier(data, spec, settings, seed=1, device=device)
    assert entry["metrics"]["roc_auc"] > 0.75  # the label lives in the neighbours
    rebuilt = rebuild_classifier(fitted.model.config(), fitted.model.state_dict())
    a = predict(fitted.model, view, torch.device(device))
    b = predict(rebuilt.to(device), view, torch.device(device))
    assert torch.allclose(a, b)
    assert "NodeClassifier('Person'" in repr(rebuilt)


def test_same_seed_same_result() -> None:
    data = user_graph(120)
    spec = ClassifySpec("Person", "risky", split="given")
    settings = TrainConfig(dim=8, max_epochs=5, patience=5)
    first = train_and_evaluate_classifier(data, spec, settings, seed=3)[0]["metrics"]
    second = train_and_evaluate_classifier(data, spec, settings, seed=3)[0]["metrics"]
    assert first == second


def test_metrics_by_hand() -> None:
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0], dtype=float)
    s = np.array([0.9, 0.8, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1])
    assert recall_at_rate(y, s, 0.1) == 0.5  # top 1 of 10 holds one of two positives
    m = binary_metrics(y, s)
    assert m["recall@5%"] == 0.5 and m["positives"] == 2.0
    assert 0.5 < m["roc_auc"] < 1.0
    assert math.isnan(binary_metrics(np.zeros(4), np.arange(4.0))["pr_auc"])


def test_a_time_budget_ends_the_fit_and_keeps_the_best_epoch() -> None:
    """Every fit, early-stopped or a refit's fixed epochs, stops once its budget is spent
    (after at least one epoch): what bounds the demo past `small`."""
    data = user_graph(120)
    spec = ClassifySpec("Person", "risky", split="given")
    free = TrainConfig(dim=8, max_epochs=6, patience=6)
    tight = dataclasses.replace(free, time_budget_s=1e-6)
    entry, full, _ = train_and_evaluate_classifier(data, spec, free, seed=3)
    assert len(full.curve) == 6 and full.stopped == entry["stopped"] == "max epochs"
    fitted = train_and_evaluate_classifier(data, spec, tight, seed=3)[1]
    assert len(fitted.curve) == 1 and fitted.best_epoch == 1 and fitted.stopped == "time budget"
    with pytest.raises(ValueError):
        TrainConfig(time_budget_s=0)
