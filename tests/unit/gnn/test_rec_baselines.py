"""Popularity and item-kNN on hand-checked interaction matrices."""

import pytest
import torch

from gnn.baselines import ItemKNN, Popularity, trained_baseline

# users 0..2, items 0..3: u0 {0, 1}, u1 {0, 1, 2}, u2 {0}
POSITIVES = torch.tensor([[0, 0, 1, 1, 1, 2], [0, 1, 0, 1, 2, 0]])


def test_popularity_counts_buyers() -> None:
    pop = Popularity(4).fit(POSITIVES)
    assert pop(torch.tensor([0, 2])).tolist() == [[3.0, 2.0, 1.0, 0.0]] * 2


def test_item_knn_scores_by_cosine_of_co_purchases() -> None:
    knn = ItemKNN(3, 4, k=10).fit(POSITIVES)
    # items 0 and 1: co-bought by 2 users, bought by 3 and 2 -> cosine 2 / sqrt(6)
    assert knn.sim[0, 1].item() == pytest.approx(2 / 6**0.5)
    assert knn.sim[0, 0].item() == 0.0
    s = knn(torch.tensor([2]))[0]  # u2 bought item 0 only
    assert s[1] > s[2] > s[3]  # 1 co-bought twice with 0, 2 once, 3 never
    assert s[3] == pytest.approx(0.0)


def test_item_knn_keeps_only_k_neighbours() -> None:
    knn = ItemKNN(3, 4, k=1).fit(POSITIVES)
    assert int((knn.sim > 0).sum(1).max()) == 1


def test_unknown_trained_baseline_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        trained_baseline("svd", 3, 4, ("User", "BOUGHT", "Product"), 8, 1)
