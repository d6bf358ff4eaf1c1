"""Baselines a graph model has to beat, on the same split, metrics and seed.

* ``Popularity``: items by purchase count before the cut; the same list for everyone.
* ``ItemKNN``: item-item cosine similarity of purchase co-occurrence (who bought i also bought
  j), a user's score for j summing similarities to their past items; ties and users without
  history fall back to popularity.
* BPR matrix factorisation and LightGCN are trained models
  (:mod:`gnn.models.mf`, :mod:`gnn.models.lightgcn`) built by :func:`trained_baseline`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor, nn

from gnn.models.graph_filter import ItemFilter, binary_matrix
from gnn.models.lightgcn import UserItemLightGCN
from gnn.models.mf import MatrixFactorization

POP_TIEBREAK = 1e-6  # small enough never to overturn a similarity, large enough to order ties


class Popularity:
    """Score = number of distinct buyers before the cut."""

    name = "popularity"

    def __init__(self, num_items: int) -> None:
        self.num_items = num_items
        self.counts = torch.zeros(num_items)
        self.positives = torch.zeros((2, 0), dtype=torch.long)

    def fit(self, positives: Tensor) -> Popularity:
        """``positives``: ``(2, P)`` distinct (user, item) pairs before the cut."""
        self.counts = torch.bincount(positives[1], minlength=self.num_items).float()
        self.positives = positives.cpu()
        return self

    def as_filter(self, num_users: int) -> ItemFilter:
        """The same ranking as an :class:`ItemFilter` (counts, weight 1): what is served."""
        r = binary_matrix(self.positives, num_users, self.num_items)
        return ItemFilter(r, popularity=self.counts.numpy().copy(), pop_weight=1.0)

    def __call__(self, users: Tensor) -> Tensor:
        return self.counts.expand(users.numel(), -1)


class ItemKNN:
    """Co-occurrence cosine item-kNN, keeping each item's ``k`` nearest neighbours.

    The similarity is computed sparse and blocked (:func:`knn_similarity`): memory is
    ``O(items x k)`` plus one bounded block, never a dense items x items (or users x items)
    matrix, so it fits at 41k items where the dense fit needed ~20 GB.

    Args:
        num_users, num_items: sizes of the interaction matrix.
        k: neighbours kept per item; the rest are zeroed so rare co-purchases add no noise.
    """

    name = "item-knn"

    def __init__(self, num_users: int, num_items: int, k: int = 400) -> None:
        self.num_users, self.num_items, self.k = num_users, num_items, k
        shape = (num_users, num_items)
        self.sim = sp.csr_matrix((num_items, num_items), dtype=np.float32)
        self.history = sp.csr_matrix(shape, dtype=np.float32)
        self.popularity = np.zeros(num_items, dtype=np.float32)
        self._filter: ItemFilter | None = None

    def fit(self, positives: Tensor) -> ItemKNN:
        """``positives``: ``(2, P)`` distinct (user, item) pairs before the cut."""
        r = binary_matrix(positives, self.num_users, self.num_items)
        self.sim = knn_similarity(r, self.k)
        self.history = r
        pop = np.diff(r.tocsc().indptr).astype(np.float32)  # buyers per item
        self.popularity = pop / np.float32(max(float(pop.max(initial=0.0)), 1.0))
        self._filter = None
        return self

    def __call__(self, users: Tensor) -> Tensor:
        """Scores ``(B, items)``: a user's summed similarities to their past items, plus the
        popularity tie-break; computed by the :class:`ItemFilter` that is served."""
        return self.as_filter()(users)

    def as_filter(self) -> ItemFilter:
        """The kept neighbours as a sparse :class:`ItemFilter` (what is evaluated and served);
        built once per fit, since the evaluation scores many blocks of users."""
        if self._filter is None:
            self._filter = ItemFilter(
                self.history, sim=self.sim, popularity=self.popularity, pop_weight=POP_TIEBREAK
            )
        return self._filter


def knn_similarity(r: sp.csr_matrix, k: int, block_entries: int = 1 << 20) -> sp.csr_matrix:
    """Items x items cosine similarity of the binary interactions ``r`` (users x items), each
    row cut to its ``k`` largest entries, diagonal 0.

    Why blocked and sparse: the dense ``R^T R`` is items^2 floats (6.7 GB at 41k items, and the
    fit held three of them). Here rows of ``R^T R`` are made a block of items at a time by a
    sparse product (only co-bought pairs exist), each block bounded to about ``block_entries``
    nonzeros by an upper bound computed up front, and cut to ``k`` per row before the next.

    The formula is the dense fit's, ``co_ij / sqrt(max(d_i, 1)) / sqrt(max(d_j, 1))`` with
    integer co-occurrence counts, computed in float64 and stored as float32: the nearest
    float32 to the true cosine (the dense float32 fit was within 2 ulp of it), so two pairs
    with the same cosine get the same value and the tie rule decides between them. Ties at the
    ``k``-th value keep the lower item index (``torch.topk``'s order, used before, was
    unspecified).
    """
    r = sp.csr_matrix(r, dtype=np.float32)
    n_items = r.shape[1]
    k = min(k, n_items)
    rt = r.T.tocsr()  # items x users
    norm = np.sqrt(np.maximum(np.diff(rt.indptr), 1).astype(np.float64))
    # nonzeros of row i of R^T R are at most sum of its buyers' degrees (and n_items)
    bound = np.minimum(rt @ np.diff(r.indptr).astype(np.float64), n_items)
    indptr, indices, data = [np.zeros(1, dtype=np.int64)], [], []
    for start, stop in _blocks(bound, block_entries):
        co = rt[start:stop] @ r  # (block, items) co-occurrence counts
        co.sort_indices()
        rows = np.repeat(np.arange(start, stop), np.diff(co.indptr))
        off = rows != co.indices  # the diagonal (an item with itself) is not a neighbour
        rows, cols = rows[off], co.indices[off]
        vals = (co.data[off].astype(np.float64) / norm[rows] / norm[cols]).astype(np.float32)
        counts = np.bincount(rows - start, minlength=stop - start)
        keep = _top_k_rows(vals, counts, k)
        kept = np.bincount(rows[keep] - start, minlength=stop - start)
        indptr.append(indptr[-1][-1] + np.cumsum(kept))
        indices.append(cols[keep])
        data.append(vals[keep])
    return sp.csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0, dtype=np.float32),
            np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32),
            np.concatenate(indptr),
        ),
        shape=(n_items, n_items),
    )


def _blocks(bound: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Consecutive ``[start, stop)`` item ranges whose summed ``bound`` stays within ``budget``
    (a single row over it is its own block)."""
    out, start, total = [], 0, 0.0
    for i, b in enumerate(bound.tolist()):
        if i > start and total + b > budget:
            out.append((start, i))
            start, total = i, 0.0
        total += b
    if start < bound.size:
        out.append((start, int(bound.size)))
    return out


def _top_k_rows(vals: np.ndarray, counts: np.ndarray, k: int) -> np.ndarray:
    """Mask of the ``k`` largest of each row's run of ``vals`` (rows consecutive, ``counts``
    long, columns ascending within a row); at the ``k``-th value the lower columns win."""
    keep = np.ones(vals.size, dtype=bool)
    ends = np.cumsum(counts)
    for row in np.flatnonzero(counts > k).tolist():
        a, b = int(ends[row] - counts[row]), int(ends[row])
        v = vals[a:b]
        kth = v[np.argpartition(-v, k - 1)[k - 1]]
        above = v > kth
        ties = np.flatnonzero(v == kth)[: k - int(above.sum())]
        above[ties] = True
        keep[a:b] = above
    return keep


def trained_baseline(
    name: str,
    num_users: int,
    num_items: int,
    edge_type: tuple[str, str, str],
    dim: int,
    layers: int,
) -> nn.Module:
    """``"bpr-mf"`` or ``"lightgcn"``, ready for :func:`gnn.train.fit_bpr`."""
    build = TRAINED_BASELINES.get(name)
    if build is None:
        raise ValueError(f"unknown trained baseline {name!r}")
    return build(num_users, num_items, edge_type, dim, layers)


# (num_users, num_items, edge_type, dim, layers) → model; MF ignores the graph arguments.
TRAINED_BASELINES: dict[str, Callable[[int, int, tuple[str, str, str], int, int], nn.Module]] = {
    "bpr-mf": lambda users, items, edge_type, dim, layers: MatrixFactorization(users, items, dim),
    "lightgcn": UserItemLightGCN,
}
