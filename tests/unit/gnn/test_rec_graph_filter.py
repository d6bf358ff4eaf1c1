"""GF-CF on hand-built interaction matrices small enough to check by hand."""

import numpy as np
import pytest
import torch

from gnn.metrics import evaluate_ranking
from gnn.models.graph_filter import GraphFilterCF

# users 0..4, items 0..5: two components {u0, u1} x {0, 1} and {u2, u3} x {2, 3, 4};
# u4 bought nothing, item 5 nobody.
POSITIVES = torch.tensor([[0, 0, 1, 2, 2, 3, 3], [0, 1, 0, 2, 3, 3, 4]])


def _fit(alpha: float = 0.3) -> GraphFilterCF:
    return GraphFilterCF(5, 6, alpha=alpha).fit(POSITIVES)


def test_scores_are_finite_for_cold_users_and_items() -> None:
    s = _fit()(torch.arange(5))
    assert s.shape == (5, 6) and s.dtype == torch.float32
    assert bool(torch.isfinite(s).all())
    assert float(s[4].max()) < 1e-5  # no history: only the popularity tie-break is left


def test_only_neighbour_purchase_ranks_first_once_history_is_masked() -> None:
    gf = _fit()
    # u1 bought item 0; its only neighbour u0 also bought item 1, nothing links it to 2..5
    s = gf(torch.tensor([1]))[0]
    assert int(s.argmax()) == 0  # unmasked, the user's own purchase scores highest
    targets, exclude = torch.tensor([[0], [1]]), torch.tensor([[0], [0]])
    m = evaluate_ranking(gf, torch.tensor([1]), targets, exclude, num_items=6, ks=(1,))
    assert m["recall@1"] == 1.0 and m["mrr"] == 1.0
    assert float(s[1]) > 1e-3 > float(s[2:].max())  # the other component gets ~nothing


def test_matches_the_dense_formula() -> None:
    gen = np.random.default_rng(0)
    r = (gen.random((12, 9)) < 0.35).astype(np.float64)
    r[0, 0] = r[1, 1] = 1.0
    pos = torch.from_numpy(np.stack(np.nonzero(r)))
    gf = GraphFilterCF(12, 9, alpha=0.3, rank=3).fit(pos)
    du, di = r.sum(1), r.sum(0)
    inv = lambda d: np.where(d > 0, 1 / np.sqrt(np.maximum(d, 1e-12)), 0.0)  # noqa: E731
    norm = inv(du)[:, None] * r * inv(di)[None, :]
    v = np.linalg.svd(norm)[2][:3].T
    ideal = (inv(di)[:, None] * (v @ v.T)) * np.sqrt(di)[None, :]
    expected = r @ (norm.T @ norm + 0.3 * ideal) + 1e-6 * di / di.max()
    got = gf(torch.arange(12)).double().numpy()
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_two_fits_are_identical() -> None:
    a, b = _fit()(torch.arange(5)), _fit()(torch.arange(5))
    assert torch.equal(a, b)


def test_alpha_zero_is_the_linear_filter_alone() -> None:
    s = _fit(alpha=0.0)(torch.tensor([2]))[0]
    # u2 {2, 3}: only u3 links them to item 4, via item 3: R~[u3, 3] * R~[u3, 4]
    # = 1/sqrt(deg u3 * deg i3) * 1/sqrt(deg u3 * deg i4) = 1/sqrt(2*2) * 1/sqrt(2*1)
    assert float(s[4]) == pytest.approx(1 / 2 * (1 / 2**0.5), abs=1e-5)


def test_rank_is_capped_below_the_smaller_side_and_repr() -> None:
    gf = GraphFilterCF(5, 6, rank=256)
    assert gf.effective_rank == 4
    assert repr(gf) == "GraphFilterCF(5, 6, alpha=0.3, rank=256)"
    gf.fit(POSITIVES)
    assert gf.v.shape == (6, 4)
    gf.reset_parameters()
    assert float(gf(torch.tensor([0])).abs().max()) == 0.0


def test_user_blocks_do_not_change_scores() -> None:
    small = GraphFilterCF(5, 6, block=2).fit(POSITIVES)
    assert torch.allclose(small(torch.arange(5)), _fit()(torch.arange(5)), atol=1e-7)
    assert small(torch.tensor([], dtype=torch.long)).shape == (0, 6)
