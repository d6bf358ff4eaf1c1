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

    Args:
        num_users, num_items: sizes of the interaction matrix.
        k: neighbours kept per item; the rest are zeroed so rare co-purchases add no noise.
    """

    name = "item-knn"

    def __init__(self, num_users: int, num_items: int, k: int = 400) -> None:
        self.num_users, self.num_items, self.k = num_users, num_items, k
        self.sim = torch.zeros(num_items, num_items)
        self.history = torch.zeros(num_users, num_items)
        self.popularity = torch.zeros(num_items)

    def fit(self, positives: Tensor) -> ItemKNN:
        r = torch.zeros(self.num_users, self.num_items)
        r[positives[0], positives[1]] = 1.0
        co = r.T @ r
        norm = co.diagonal().clamp(min=1).sqrt()
        sim = co / norm[:, None] / norm[None, :]
        sim.fill_diagonal_(0.0)
        k = min(self.k, self.num_items)
        top = torch.topk(sim, k, dim=1)
        self.sim = torch.zeros_like(sim).scatter_(1, top.indices, top.values)
        self.history = r
        pop = r.sum(0)
        self.popularity = pop / pop.max().clamp(min=1)
        return self

    def __call__(self, users: Tensor) -> Tensor:
        return self.history[users] @ self.sim.T + POP_TIEBREAK * self.popularity

    def as_filter(self) -> ItemFilter:
        """The kept neighbours as a sparse :class:`ItemFilter` (what is served); equal scores
        up to float rounding (summed in another order)."""
        return ItemFilter(
            sp.csr_matrix(self.history.numpy()),
            sim=sp.csr_matrix(self.sim.numpy()),
            popularity=self.popularity.numpy().astype(np.float32),
            pop_weight=POP_TIEBREAK,
        )


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
