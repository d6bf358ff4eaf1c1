"""GF-CF: a training-free graph filter recommender.

Shen et al., "How Powerful is Graph Convolution for Recommendation?" (CIKM 2021,
https://arxiv.org/abs/2108.07567). LightGCN-style models, trained to the end, behave like a
low-pass filter on the item-item graph; GF-CF applies that filter in closed form instead:

* normalised interactions :math:`\\tilde R = D_U^{-1/2} R D_I^{-1/2}`,
* a linear filter :math:`P = \\tilde R^\\top \\tilde R` (item-item, smooth over co-buyers),
* an ideal low-pass filter :math:`D_I^{-1/2} V_k V_k^\\top D_I^{1/2}` from the top-``k`` right
  singular vectors of :math:`\\tilde R` (what the slowest-varying signals on the graph keep),
* a user's scores :math:`s_u = r_u (P + \\alpha \\cdot \\text{ideal})`.

There is nothing to train, so it costs one sparse SVD and is a strong, cheap reference for the
trained models. Built on ``scipy.sparse``: no dense users x items or items x items matrix is ever
made; :meth:`GraphFilterCF.__call__` scores a block of users with sparse-dense products, so
memory is ``O(block x (users + items + k))`` on top of the interactions and ``V_k``.

:class:`KGGraphFilter` (``kg-gf``) adds one more item-item filter, built from the knowledge
graph's static item relationships (:func:`item_links`), so items nobody bought yet are scored.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.extmath import randomized_svd
from torch import Tensor
from torch_geometric.data import HeteroData

from gnn.split import is_static

POP_TIEBREAK = 1e-6  # as item-kNN: orders zero-score items (and users without history)


class GraphFilterCF:
    r"""GF-CF over a binary user-item interaction matrix.

    Args:
        num_users (int): rows of the interaction matrix.
        num_items (int): columns of the interaction matrix.
        alpha (float, optional): weight of the ideal low-pass term; the paper's 0.3.
            (default: :obj:`0.3`)
        rank (int, optional): singular vectors kept by the ideal term; the paper's 256, capped
            at ``min(num_users, num_items) - 1`` (a truncated SVD needs ``k < min(shape)``).
            (default: :obj:`256`)
        seed (int, optional): ``random_state`` of the randomized SVD, so two fits agree.
            (default: :obj:`0`)
        block (int, optional): users scored per sparse-dense product; bounds the
            ``(block, users)`` intermediate of the linear term. (default: :obj:`256`)

    Shapes:
        - **fit input:** positives :math:`(2, P)` distinct (user, item) pairs
        - **call input:** users :math:`(B,)`
        - **call output:** scores :math:`(B, |\mathcal{I}|)` float32 (history not masked: the
          ranking code masks it, as for every model)
    """

    name = "gf-cf"

    def __init__(
        self,
        num_users: int,
        num_items: int,
        alpha: float = 0.3,
        rank: int = 256,
        seed: int = 0,
        block: int = 256,
    ) -> None:
        self.num_users, self.num_items = num_users, num_items
        self.alpha, self.rank, self.seed, self.block = alpha, rank, seed, block
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Forget the fit: no interactions, no singular vectors (every score 0)."""
        shape = (self.num_users, self.num_items)
        self.history = sp.csr_matrix(shape, dtype=np.float32)
        self.norm = sp.csr_matrix(shape, dtype=np.float32)
        self.norm_t = self.norm.T.tocsr()
        self.v = np.zeros((self.num_items, 0), dtype=np.float32)
        self.d_item = np.zeros(self.num_items, dtype=np.float32)
        self.popularity = np.zeros(self.num_items, dtype=np.float32)

    @property
    def effective_rank(self) -> int:
        """The ``k`` actually used: ``rank`` capped below the smaller side of the matrix."""
        return max(0, min(self.rank, min(self.num_users, self.num_items) - 1))

    def fit(self, positives: Tensor) -> GraphFilterCF:
        """Normalise the interactions and take the top singular vectors; ``(2, P)`` pairs."""
        u, i = positives[0].cpu().numpy(), positives[1].cpu().numpy()
        r = sp.csr_matrix(
            (np.ones(u.size, dtype=np.float32), (u, i)), shape=(self.num_users, self.num_items)
        )
        r.data[:] = 1.0  # duplicates summed by the constructor: interactions are binary
        d_user = np.asarray(r.sum(1)).ravel()
        d_item = np.asarray(r.sum(0)).ravel()
        self.norm = (sp.diags(_inv_sqrt(d_user)) @ r @ sp.diags(_inv_sqrt(d_item))).tocsr()
        self.norm = self.norm.astype(np.float32)
        self.norm_t = self.norm.T.tocsr()
        self.history, self.d_item = r, d_item.astype(np.float32)
        self.popularity = (d_item / max(float(d_item.max(initial=0.0)), 1.0)).astype(np.float32)
        k = self.effective_rank
        if k > 0 and self.norm.nnz:
            _, _, vt = randomized_svd(self.norm, k, random_state=self.seed)
            self.v = np.ascontiguousarray(vt.T, dtype=np.float32)
        else:
            self.v = np.zeros((self.num_items, 0), dtype=np.float32)
        return self

    def __call__(self, users: Tensor) -> Tensor:
        """Scores of users: ``r (R~^T R~) + alpha r D^-1/2 V V^T D^1/2``, ``block`` at a time."""
        ids = users.cpu().numpy()
        parts = [self._score(ids[s : s + self.block]) for s in range(0, ids.size, self.block)]
        if not parts:
            return torch.zeros((0, self.num_items))
        return torch.from_numpy(np.concatenate(parts))

    def _score(self, ids: np.ndarray) -> np.ndarray:
        block = self.history[ids].toarray()  # (B, I), dense for one block only
        linear = (self.norm_t @ (self.norm @ block.T)).T  # two sparse-dense products
        inv_sqrt = _inv_sqrt(self.d_item)
        # cold items (degree 0) get 0 from the ideal term, not 0 * inf
        ideal = ((block * inv_sqrt) @ self.v) @ self.v.T * np.sqrt(self.d_item)
        scores = linear + self.alpha * ideal + POP_TIEBREAK * self.popularity
        return np.ascontiguousarray(scores, dtype=np.float32)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.num_users}, {self.num_items}, "
            f"alpha={self.alpha}, rank={self.rank})"
        )


def _inv_sqrt(degree: np.ndarray) -> np.ndarray:
    """``degree ** -0.5`` with 0 where the degree is 0 (no interactions, nothing to spread)."""
    out = np.zeros_like(degree, dtype=np.float64)
    nz = degree > 0
    out[nz] = 1.0 / np.sqrt(degree[nz])
    return out


class KGGraphFilter(GraphFilterCF):
    r"""GF-CF plus a filter over the knowledge graph's item-item relations (``kg-gf``).

    Collaborative filtering alone cannot score an item nobody bought: its column of
    :math:`\tilde R` is zero, so GF-CF gives it only the popularity tie-break. The knowledge
    graph still says what it is like (same brand, category, attribute, ``COMPATIBLE_WITH``).
    ``kg-gf`` adds that as one more low-pass item-item filter:

    * ``links`` :math:`B` (entities x items): one row per static entity an item links to (a
      brand, a category, an attribute value) and one per direct item-item edge,
    * normalised :math:`\tilde B = D_E^{-1/2} B D_{I,KG}^{-1/2}`, so the co-membership filter
      :math:`K = \tilde B^\top \tilde B` has spectrum in ``[0, 1]`` like :math:`\tilde R^\top
      \tilde R` and ``beta`` weighs two filters of the same scale,
    * a user's scores :math:`s_u = r_u (P + \alpha \cdot \text{ideal} + \beta K)`.

    ``beta = 0`` is GF-CF exactly. Like GF-CF nothing dense of size items x items is made: the
    KG term is two more sparse-dense products per block of users.

    Args:
        links (scipy.sparse matrix, optional): :math:`B`, entities x items, nonzero where the
            item belongs to the entity (weights are ignored: membership is binary). ``None``
            or no entities: the KG term is 0.
        beta (float, optional): weight of the KG filter; chosen on valid by the link task.
            (default: :obj:`0.3`)
        **kwargs: as :class:`GraphFilterCF`.
    """

    name = "kg-gf"

    def __init__(
        self,
        num_users: int,
        num_items: int,
        links: sp.spmatrix | None = None,
        beta: float = 0.3,
        **kwargs: Any,
    ) -> None:
        self.beta = beta
        self.links = _normalised_links(links, num_items)
        self.links_t = self.links.T.tocsr()
        super().__init__(num_users, num_items, **kwargs)

    @property
    def num_entities(self) -> int:
        """Rows of :math:`B` that link at least one item (0: the KG term is off)."""
        return int(self.links.shape[0])

    def _score(self, ids: np.ndarray) -> np.ndarray:
        scores = super()._score(ids)
        if self.beta == 0.0 or not self.links.nnz:
            return scores
        block = self.history[ids].toarray()
        kg = (self.links_t @ (self.links @ block.T)).T
        return np.ascontiguousarray(scores + self.beta * kg, dtype=np.float32)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.num_users}, {self.num_items}, "
            f"alpha={self.alpha}, rank={self.rank}, beta={self.beta}, "
            f"entities={self.num_entities})"
        )


def _normalised_links(links: sp.spmatrix | None, num_items: int) -> sp.csr_matrix:
    """:math:`D_E^{-1/2} B D_I^{-1/2}` of the binary ``links`` with empty entities dropped."""
    if links is None:
        return sp.csr_matrix((0, num_items), dtype=np.float32)
    b = sp.csr_matrix(links, dtype=np.float32)
    if b.shape[1] != num_items:
        raise ValueError(f"links have {b.shape[1]} item columns, expected {num_items}")
    b.sum_duplicates()
    b.data[:] = 1.0
    d_entity = np.asarray(b.sum(1)).ravel()
    b = b[d_entity > 0]
    d_entity, d_item = d_entity[d_entity > 0], np.asarray(b.sum(0)).ravel()
    norm = sp.diags(_inv_sqrt(d_entity)) @ b @ sp.diags(_inv_sqrt(d_item))
    return sp.csr_matrix(norm, dtype=np.float32)


def item_links(
    graph: HeteroData, item: str, static: tuple[str, ...], exclude: tuple[str, ...] = ()
) -> tuple[sp.csr_matrix, dict[str, int]]:
    """:math:`B` (entities x items) from the static relationships of ``item`` in ``graph``.

    Why static only: the training graph also holds timed behaviour (orders, reviews) around the
    items; the KG filter is about what an item *is*, which holds at any time and is known for an
    item nobody has bought yet. Each ``(item)-[static]->(entity)`` type contributes one row per
    entity node (a reverse ``rev_`` copy is the same relation and is skipped); each direct
    ``(item)-[static]-(item)`` edge is its own two-member entity (an undirected pair counted
    once). Returns the matrix and the entity rows per relation (for the report).
    """
    n_items = int(graph[item].num_nodes)
    blocks: list[sp.csr_matrix] = []
    counts: dict[str, int] = {}
    for et in graph.edge_types:
        src, rel, dst = et
        if rel.startswith("rev_") or item not in (src, dst) or not is_static(et, static):
            continue
        if src in exclude or dst in exclude:
            continue
        ei = graph[et].edge_index.cpu().numpy()
        if src == dst:  # item-item: one entity per unordered pair, self-loops dropped
            a, b = np.minimum(ei[0], ei[1]), np.maximum(ei[0], ei[1])
            pairs = np.unique(np.stack([a[a != b], b[a != b]], 1), axis=0)
            rows = np.repeat(np.arange(len(pairs)), 2)
            cols = pairs.reshape(-1)
            n_ent = len(pairs)
        else:
            items, ents = (ei[0], ei[1]) if src == item else (ei[1], ei[0])
            other = dst if src == item else src
            rows, cols, n_ent = ents, items, int(graph[other].num_nodes)
        if not cols.size:
            continue
        block = sp.csr_matrix(
            (np.ones(cols.size, dtype=np.float32), (rows, cols)), shape=(n_ent, n_items)
        )
        block = block[np.asarray(block.sum(1)).ravel() > 0]
        blocks.append(block)
        counts["-".join(et)] = int(block.shape[0])
    if not blocks:
        return sp.csr_matrix((0, n_items), dtype=np.float32), counts
    return sp.csr_matrix(sp.vstack(blocks), dtype=np.float32), counts
