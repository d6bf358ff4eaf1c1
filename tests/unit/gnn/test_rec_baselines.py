"""Popularity and item-kNN on hand-checked interaction matrices; the sparse blocked item-kNN
fit against the dense computation it replaced."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from bench.item_knn import dense_fit
from gnn.baselines import ItemKNN, Popularity, knn_similarity, trained_baseline
from gnn.models.graph_filter import binary_matrix

# users 0..2, items 0..3: u0 {0, 1}, u1 {0, 1, 2}, u2 {0}
POSITIVES = torch.tensor([[0, 0, 1, 1, 1, 2], [0, 1, 0, 1, 2, 0]])


def test_popularity_counts_buyers() -> None:
    pop = Popularity(4).fit(POSITIVES)
    assert pop(torch.tensor([0, 2])).tolist() == [[3.0, 2.0, 1.0, 0.0]] * 2


def test_item_knn_scores_by_cosine_of_co_purchases() -> None:
    knn = ItemKNN(3, 4, k=10).fit(POSITIVES)
    # items 0 and 1: co-bought by 2 users, bought by 3 and 2 -> cosine 2 / sqrt(6)
    assert knn.sim[0, 1] == pytest.approx(2 / 6**0.5)
    assert knn.sim[0, 0] == 0.0
    s = knn(torch.tensor([2]))[0]  # u2 bought item 0 only
    assert s[1] > s[2] > s[3]  # 1 co-bought twice with 0, 2 once, 3 never
    assert s[3] == pytest.approx(0.0)


def test_item_knn_keeps_only_k_neighbours() -> None:
    knn = ItemKNN(3, 4, k=1).fit(POSITIVES)
    assert int(np.diff(knn.sim.indptr).max()) == 1


def test_unknown_trained_baseline_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        trained_baseline("svd", 3, 4, ("User", "BOUGHT", "Product"), 8, 1)


# --- the sparse blocked fit against the dense one --------------------------------------------


def _power_law(users: int, items: int, n: int, seed: int) -> torch.Tensor:
    """Skewed interactions (a few items bought by many): many equal cosines, rows past k."""
    rng = np.random.default_rng(seed)
    u = rng.integers(0, users, n)
    i = (rng.pareto(1.0, n) * 10).astype(np.int64) % items
    return torch.from_numpy(np.stack([u, i]))


def _dense_knn(positives: torch.Tensor, users: int, items: int, k: int) -> np.ndarray:
    """The dense fit as it was (items x items cosine of co-purchases, diagonal 0, top ``k`` per
    row), the ties at the ``k``-th value broken by the lower index: a stable sort instead of
    ``torch.topk``, whose order among equals is unspecified."""
    r = np.zeros((users, items))
    r[positives[0].numpy(), positives[1].numpy()] = 1.0
    co = r.T @ r
    norm = np.sqrt(np.maximum(co.diagonal(), 1.0))
    sim = (co / norm[:, None] / norm[None, :]).astype(np.float32)
    np.fill_diagonal(sim, 0.0)
    order = np.argsort(-sim, axis=1, kind="stable")[:, : min(k, items)]
    out = np.zeros_like(sim)
    np.put_along_axis(out, order, np.take_along_axis(sim, order, 1), 1)
    return out


@pytest.mark.parametrize("k", [1, 3, 10, 400])
@pytest.mark.parametrize("block", [1, 37, 1 << 24])
def test_blocked_knn_equals_the_dense_fit_exactly(k: int, block: int) -> None:
    pos = _power_law(120, 90, 1500, seed=k)
    r = binary_matrix(pos, 120, 90)
    got = knn_similarity(r, k, block_entries=block).toarray()
    want = _dense_knn(pos, 120, 90, k)
    assert np.array_equal(got != 0, want != 0)  # the same neighbours, ties included
    assert np.array_equal(got, want)  # the same float32 values (both from the float64 cosine)
    assert int(((got > 0).sum(1)).max()) <= k


@pytest.mark.parametrize("k", [3, 10, 400])
def test_blocked_knn_matches_the_previous_torch_fit(k: int) -> None:
    """Against the literal old code: values within float32 rounding, and the same neighbours
    except where the old ``torch.topk`` picked another of several equal values at the cut."""
    pos = _power_law(120, 90, 1500, seed=k)
    got = knn_similarity(binary_matrix(pos, 120, 90), k).toarray()
    old = dense_fit(pos, 120, 90, k).numpy()  # the previous code's arithmetic verbatim
    both = (got > 0) & (old > 0)
    np.testing.assert_allclose(got[both], old[both], rtol=1e-6)
    for row in range(90):
        if np.array_equal(got[row] > 0, old[row] > 0):
            continue
        kth = np.sort(old[row])[-k]  # the value at the cut: only ties of it may differ
        swapped = (got[row] > 0) != (old[row] > 0)
        np.testing.assert_allclose(np.maximum(got[row], old[row])[swapped], kth, rtol=1e-6)
        assert (got[row] > 0).sum() == (old[row] > 0).sum()
    if k == 400:  # nothing cut: the very same neighbours
        assert np.array_equal(got > 0, old > 0)


def test_item_knn_scores_equal_the_dense_scores() -> None:
    pos = _power_law(120, 90, 1500, seed=3)
    knn = ItemKNN(120, 90, k=10).fit(pos)
    sim = _dense_knn(pos, 120, 90, 10)
    r = binary_matrix(pos, 120, 90).toarray()
    pop = r.sum(0) / max(r.sum(0).max(), 1.0)
    want = r @ sim.T + 1e-6 * pop
    got = knn(torch.arange(120)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # and the same ranking, ties in the stable order of the ranking code
    top = np.argsort(-want.astype(np.float32), 1, kind="stable")[:, :20]
    assert np.array_equal(np.argsort(-got, 1, kind="stable")[:, :20], top)


def test_knn_blocks_respect_the_entry_budget() -> None:
    """An upper bound per row sizes each block; no dense items x items is made."""
    r = sp.csr_matrix(np.ones((4, 6), dtype=np.float32))
    sim = knn_similarity(r, 2, block_entries=7)  # each row's bound is 6: one row per block
    assert sim.shape == (6, 6) and np.diff(sim.indptr).tolist() == [2] * 6
    assert sim[0].indices.tolist() == [1, 2]  # all equal (cosine 1): the lowest indices kept
