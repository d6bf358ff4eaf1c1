"""Ranking metrics on cases small enough to compute by hand."""

import math

import pytest
import torch

from gnn.metrics import evaluate_ranking, ranking_metrics, sorted_ranking_metrics, stable_topk

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def test_one_user_by_hand() -> None:
    scores = torch.tensor([[0.9, 0.8, 0.7, 0.1]])
    targets = torch.tensor([[False, True, False, True]])
    m = ranking_metrics(scores, targets, ks=(2, 4))
    # top 2 = items 0, 1: one of two targets, found at rank 2
    assert m["recall@2"].item() == pytest.approx(0.5)
    assert m["hit@2"].item() == 1.0
    dcg2, idcg2 = 1 / math.log2(3), 1 + 1 / math.log2(3)
    assert m["ndcg@2"].item() == pytest.approx(dcg2 / idcg2)
    # top 4: both targets, at ranks 2 and 4
    assert m["recall@4"].item() == pytest.approx(1.0)
    dcg4 = 1 / math.log2(3) + 1 / math.log2(5)
    assert m["ndcg@4"].item() == pytest.approx(dcg4 / idcg2)
    assert m["mrr"].item() == pytest.approx(0.5)


def test_miss_and_perfect_rows_are_vectorised() -> None:
    scores = torch.tensor([[3.0, 2.0, 1.0], [3.0, 2.0, 1.0]])
    targets = torch.tensor([[True, False, False], [False, False, True]])
    m = ranking_metrics(scores, targets, ks=(1,))
    assert m["recall@1"].tolist() == [1.0, 0.0]
    assert m["ndcg@1"].tolist() == [1.0, 0.0]
    assert m["hit@1"].tolist() == [1.0, 0.0]
    assert m["mrr"].tolist() == pytest.approx([1.0, 1 / 3])


def test_ideal_dcg_uses_at_most_k_targets() -> None:
    scores = torch.tensor([[4.0, 3.0, 2.0, 1.0]])
    targets = torch.tensor([[True, False, True, True]])
    m = ranking_metrics(scores, targets, ks=(1,))
    assert m["ndcg@1"].item() == pytest.approx(1.0)  # one slot, filled: perfect
    assert m["recall@1"].item() == pytest.approx(1 / 3)


def test_ties_break_by_item_index() -> None:
    scores = torch.zeros(1, 5)
    targets = torch.tensor([[False, False, True, False, False]])
    m = ranking_metrics(scores, targets, ks=(2, 3))
    assert m["recall@2"].item() == 0.0 and m["recall@3"].item() == 1.0
    assert m["mrr"].item() == pytest.approx(1 / 3)


def test_evaluate_masks_history_and_averages_over_users() -> None:
    table = torch.tensor([[5.0, 4.0, 3.0, 2.0], [1.0, 2.0, 3.0, 4.0]])
    users = torch.tensor([7, 9])  # ids need not be rows: the score function maps them
    row_of = {7: 0, 9: 1}

    def score(u: torch.Tensor) -> torch.Tensor:
        return table[[row_of[int(x)] for x in u]]

    targets = torch.tensor([[0, 1], [1, 0]])  # user 7 wants item 1, user 9 wants item 0
    exclude = torch.tensor([[0, 1], [0, 3]])  # user 7 bought item 0, user 9 item 3
    m = evaluate_ranking(score, users, targets, exclude, num_items=4, ks=(1, 3), batch_size=1)
    # user 7: item 0 masked, so item 1 ranks first; user 9: order 2, 1, 0 -> item 0 third
    assert m["recall@1"] == pytest.approx(0.5)
    assert m["recall@3"] == pytest.approx(1.0)
    assert m["mrr"] == pytest.approx((1.0 + 1 / 3) / 2)
    same = evaluate_ranking(score, users, targets, exclude, num_items=4, ks=(1, 3))
    assert same == pytest.approx(m)  # batching does not change the result


def test_three_users_five_items_by_hand() -> None:
    # rankings: u0 = 4, 3, 2, 1, 0; u1 = 0, 1, 2, 3, 4; u2 = 2, 0, 1, 3, 4
    scores = torch.tensor(
        [[0.1, 0.2, 0.3, 0.4, 0.5], [0.5, 0.4, 0.3, 0.2, 0.1], [0.4, 0.3, 0.5, 0.2, 0.1]]
    )
    targets = torch.zeros(3, 5, dtype=torch.bool)
    targets[0, [3, 0]] = True  # u0: one hit at rank 2 of two targets
    targets[1, [4]] = True  # u1: its only target ranks last: miss
    targets[2, [2, 0, 1]] = True  # u2: hits at ranks 1 and 2 of three targets
    m = ranking_metrics(scores, targets, ks=(2,))
    assert m["recall@2"].tolist() == pytest.approx([1 / 2, 0.0, 2 / 3])
    idcg2 = 1 + 1 / math.log2(3)  # min(|T|, 2) = 2 ideal hits for u0 and u2
    assert m["ndcg@2"].tolist() == pytest.approx([(1 / math.log2(3)) / idcg2, 0.0, 1.0])
    assert m["mrr"].tolist() == pytest.approx([1 / 2, 1 / 5, 1.0])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("ties", [False, True])
def test_topk_metrics_equal_the_full_sort(ties: bool, device: str) -> None:
    gen = torch.Generator().manual_seed(3)
    scores = torch.randn(64, 200, generator=gen)
    if ties:  # few distinct values: ties at the k-th place and around the first target
        scores = torch.round(scores * 2) / 2
    scores[torch.rand(64, 200, generator=gen) < 0.2] = -torch.inf  # masked history
    targets = torch.rand(64, 200, generator=gen) < 0.05
    targets[torch.arange(64), torch.randint(0, 200, (64,), generator=gen)] = True
    ks = (1, 5, 20, 300)  # 300 > catalogue: the whole list
    scores, targets = scores.to(device), targets.to(device)
    new, ref = ranking_metrics(scores, targets, ks), sorted_ranking_metrics(scores, targets, ks)
    assert new.keys() == ref.keys()
    for name in ref:
        torch.testing.assert_close(new[name], ref[name], atol=1e-6, rtol=0.0)


def test_stable_topk_orders_ties_by_index() -> None:
    scores = torch.tensor([[1.0, 2.0, 2.0, 0.0, 2.0, -torch.inf]])
    assert stable_topk(scores, 4).tolist() == [[1, 2, 4, 0]]
    assert stable_topk(scores, 2).tolist() == [[1, 2]]


def test_nan_scores_fall_back_to_the_full_sort() -> None:
    scores = torch.tensor([[0.5, float("nan"), 0.1]])
    targets = torch.tensor([[False, False, True]])
    m = ranking_metrics(scores, targets, ks=(2,))
    assert m == sorted_ranking_metrics(scores, targets, ks=(2,))


@pytest.mark.parametrize("k", [1, 7, 50])
def test_stable_topk_is_the_stable_sort_prefix_with_and_without_ties(k: int) -> None:
    """Rows with distinct scores take the fast path, rows tied at the k-th value the exact
    one; both in one batch must equal the head of a stable full sort."""
    gen = torch.Generator().manual_seed(5)
    scores = torch.randn(40, 120, generator=gen)
    scores[::2] = torch.round(scores[::2])  # even rows: few distinct values, ties everywhere
    want = torch.sort(scores, dim=1, descending=True, stable=True).indices[:, :k]
    assert torch.equal(stable_topk(scores, k), want)
