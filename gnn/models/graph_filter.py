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

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
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
        self._filter: ItemFilter | None = None

    @property
    def effective_rank(self) -> int:
        """The ``k`` actually used: ``rank`` capped below the smaller side of the matrix."""
        return max(0, min(self.rank, min(self.num_users, self.num_items) - 1))

    def fit(self, positives: Tensor) -> GraphFilterCF:
        """Normalise the interactions and take the top singular vectors; ``(2, P)`` pairs."""
        self._normalise(positives)
        self._filter = None
        k = self.effective_rank
        if k > 0 and self.norm.nnz:
            self.v = low_pass_basis(self.norm, k, self.seed)
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

    def _normalise(self, positives: Tensor) -> None:
        """The binary interactions, their degree normalisation and the popularity tie-break."""
        r = binary_matrix(positives, self.num_users, self.num_items)
        self.norm, self.d_item = normalised(r)
        self.norm_t = self.norm.T.tocsr()
        self.history = r
        top = max(float(self.d_item.max(initial=0.0)), 1.0)
        self.popularity = (self.d_item / top).astype(np.float32)

    def _score(self, ids: np.ndarray) -> np.ndarray:
        return self.as_filter().score_rows(self.history[ids])

    def as_filter(self) -> ItemFilter:
        """The fitted filter as an :class:`ItemFilter` (what an artefact stores and serves);
        it shares this model's arrays, and every score of this model is computed by it. Made
        once per fit: an evaluation scores many blocks, and the filter keeps per-fit products."""
        if self._filter is None:
            self._filter = ItemFilter(
                self.history, norm=self.norm, norm_t=self.norm_t, v=self.v, d_item=self.d_item,
                alpha=self.alpha, popularity=self.popularity, pop_weight=POP_TIEBREAK,
            )  # fmt: skip
        return self._filter

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.num_users}, {self.num_items}, "
            f"alpha={self.alpha}, rank={self.rank})"
        )


# The last few bases, by (matrix bytes, k, seed): GF-CF and kg-gf fit the same folds, and the
# served refit on train+valid is the test fold's matrix again, so one SVD serves all three.
_BASES: OrderedDict[str, np.ndarray] = OrderedDict()
_BASES_KEPT = 3


def low_pass_basis(norm: sp.csr_matrix, k: int, seed: int) -> np.ndarray:
    """:math:`V_k` (items x k, float32): the top-``k`` right singular vectors of ``norm`` by a
    seeded randomized SVD, the costly part of a fit (minutes at a million interactions on two
    cores). Cached for the last ``_BASES_KEPT`` matrices (keyed by a hash of the matrix, ``k``
    and the seed, so a hit is the same computation): a deterministic function, computed once."""
    h = hashlib.sha256()
    for part in (norm.indptr, norm.indices, norm.data, np.asarray(norm.shape), np.array([k, seed])):
        h.update(np.ascontiguousarray(part).tobytes())
    key = h.hexdigest()
    if key in _BASES:
        _BASES.move_to_end(key)
        return _BASES[key]
    _, _, vt = randomized_svd(norm, k, random_state=seed)
    v = np.ascontiguousarray(vt.T, dtype=np.float32)
    v.setflags(write=False)  # shared between fits: never modified in place
    _BASES[key] = v
    while len(_BASES) > _BASES_KEPT:
        _BASES.popitem(last=False)
    return v


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
        self.relations: dict[str, int] = {}  # entity rows per relation (set by the link task)
        self.links = _normalised_links(links, num_items)
        self.links_t = self.links.T.tocsr()
        super().__init__(num_users, num_items, **kwargs)

    @property
    def num_entities(self) -> int:
        """Rows of :math:`B` that link at least one item (0: the KG term is off)."""
        return int(self.links.shape[0])

    def as_filter(self) -> ItemFilter:
        out = super().as_filter()
        out.links, out.links_t, out.beta = self.links, self.links_t, self.beta
        return out

    def scores_by_beta(self, users: Tensor, betas: Sequence[float]) -> dict[float, Tensor]:
        """Scores ``(B, items)`` of ``users`` for each KG weight in ``betas``, the same numbers
        as setting ``beta`` and calling the model, but GF-CF's part and the KG term are
        computed once: sweeping the weight on valid costs one scoring pass, not one per
        weight. The KG term is added last, as :meth:`ItemFilter.score_rows` does, so the
        float sums are the same."""
        rows = self.history[users.cpu().numpy()]
        base = self.as_filter().score_rows(rows, beta=0.0)
        kg = _two_hop(rows, self.links, self.links_t) if self.links.nnz else None
        out: dict[float, Tensor] = {}
        for i, b in enumerate(betas):
            s = base if i == len(betas) - 1 else base.copy()
            if b and kg is not None:
                s += np.float32(b) * kg
            out[b] = torch.from_numpy(s)
        return out

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


def binary_matrix(positives: Tensor, num_users: int, num_items: int) -> sp.csr_matrix:
    """``(2, P)`` (user, item) pairs as a binary users x items CSR matrix (duplicates once)."""
    u, i = positives[0].cpu().numpy(), positives[1].cpu().numpy()
    r = sp.csr_matrix((np.ones(u.size, dtype=np.float32), (u, i)), shape=(num_users, num_items))
    r.data[:] = 1.0  # duplicates summed by the constructor: interactions are binary
    return r


class ItemFilter:
    r"""A training-free recommender as it is evaluated, stored and served.

    A user's scores are a fixed linear function of their interaction row :math:`r`:

    .. math::
        s = r \tilde R^\top \tilde R + \alpha ((r D_I^{-1/2}) V_k) V_k^\top D_I^{1/2}
            + \beta\, r \tilde B^\top \tilde B + r S^\top + w_{pop} \cdot \text{pop}

    Each term is optional: popularity is ``pop`` alone, item-kNN is :math:`S` (the kept
    neighbour similarities) plus a tie-break, GF-CF the first two terms plus the tie-break, and
    ``kg-gf`` adds :math:`\beta \tilde B^\top \tilde B`. Why one class: the same arithmetic
    ranks the evaluation, the batch write-back and the API, so the three agree; and since the
    scores depend only on the row, a user the model never saw (or one who just bought) is
    scored *exactly* from their purchases, not approximated as an embedding fold-in is.

    Nothing dense of size items x items is made: a block of ``B`` users costs sparse-dense
    products of ``(B, users)`` and ``(B, items)`` plus ``(B, k)`` for the low-pass term.

    Args:
        history (scipy.sparse.csr_matrix): binary users x items interactions (what is masked
            and what a known user's row is).
        norm, norm_t: :math:`\tilde R` and its transpose (``None``: no linear term).
        v: :math:`V_k`, items x k (``None`` or ``k = 0``: no low-pass term).
        d_item: item degrees of the interactions behind ``norm`` and ``v``.
        links, links_t: :math:`\tilde B` (entities x items) and its transpose.
        sim: :math:`S`, items x items sparse (row ``i``: the neighbours scoring item ``i``).
        popularity: per-item popularity added with weight ``pop_weight``.
    """

    def __init__(
        self,
        history: sp.csr_matrix,
        *,
        norm: sp.csr_matrix | None = None,
        norm_t: sp.csr_matrix | None = None,
        v: np.ndarray | None = None,
        d_item: np.ndarray | None = None,
        alpha: float = 0.0,
        links: sp.csr_matrix | None = None,
        links_t: sp.csr_matrix | None = None,
        beta: float = 0.0,
        sim: sp.csr_matrix | None = None,
        popularity: np.ndarray | None = None,
        pop_weight: float = 0.0,
        block: int = 256,
    ) -> None:
        self.history = sp.csr_matrix(history, dtype=np.float32)
        self.num_users, self.num_items = self.history.shape
        self.norm = norm
        self.norm_t = norm_t if norm_t is not None or norm is None else norm.T.tocsr()
        self.v = v if v is not None else np.zeros((self.num_items, 0), dtype=np.float32)
        if d_item is None:
            d_item = np.asarray(self.history.sum(0)).ravel().astype(np.float32)
        self.d_item, self.alpha = d_item, alpha
        self.links = links
        self.links_t = links_t if links_t is not None or links is None else links.T.tocsr()
        self.beta, self.sim = beta, sim
        # S^T once, as CSR: ``rows @ sim.T`` would convert the CSC view on every block
        self.sim_t = sim.T.tocsr() if sim is not None else None
        self.popularity, self.pop_weight, self.block = popularity, pop_weight, block
        self._low_in, self._low_out = self._low_pass()

    # --- scoring -------------------------------------------------------------------------------
    def __call__(self, users: Tensor) -> Tensor:
        """Scores ``(B, items)`` of known users (rows of ``history``), ``block`` at a time."""
        ids = users.cpu().numpy()
        parts = [
            self.score_rows(self.history[ids[s : s + self.block]])
            for s in range(0, ids.size, self.block)
        ]
        if not parts:
            return torch.zeros((0, self.num_items))
        return torch.from_numpy(np.concatenate(parts))

    def _low_pass(self) -> tuple[sp.dia_matrix, np.ndarray]:
        """The ideal term's two sides with its scalings folded in, made once at construction:
        the row side :math:`\alpha D^{-1/2}` (a diagonal) and :math:`(V_k^\top D^{1/2})`
        (k x items, contiguous), so a block costs one sparse product and one dense one, no
        full-size temporaries. Eager, not lazy: made on first use, it cost the API's first
        request 0.3 s at 41k items. Cold items (degree 0) get 0 from the term, not 0 * inf."""
        inv_sqrt = _inv_sqrt(self.d_item) * self.alpha
        out = (self.v.astype(np.float64) * np.sqrt(self.d_item, dtype=np.float64)[:, None]).T
        return sp.diags(inv_sqrt.astype(np.float32)), np.ascontiguousarray(out, dtype=np.float32)

    def row(self, items: list[int]) -> np.ndarray:
        """The ``(1, items)`` interaction row of a user who bought ``items``."""
        out = np.zeros((1, self.num_items), dtype=np.float32)
        out[0, items] = 1.0
        return out

    def score_rows(self, block: np.ndarray | sp.spmatrix, beta: float | None = None) -> np.ndarray:
        """Scores ``(B, items)`` float32 of interaction rows ``block`` (history not masked);
        ``beta`` overrides the KG term's weight for this call (``None``: the filter's own).

        The rows are sparse (a user bought few items), so every product starts from them:
        :math:`(r \tilde R^\top) \tilde R` is sparse-sparse (only co-buyers are touched) and
        :math:`(r D^{-1/2}) V_k` costs the row's items only; the one dense product is the
        ``(B, k) x (k, items)`` of the low-pass term, in float32."""
        rows = sp.csr_matrix(block, dtype=np.float32)
        if self.v.shape[1]:  # the one dense product writes the scores array itself
            low_in, low_out = self._low_in, self._low_out
            scores = np.asarray((rows @ low_in) @ self.v, dtype=np.float32) @ low_out
        else:
            scores = np.zeros(rows.shape, dtype=np.float32)
        if self.norm is not None and self.norm_t is not None:
            scores += _two_hop(rows, self.norm, self.norm_t)
        if self.popularity is not None and self.pop_weight:
            scores += np.float32(self.pop_weight) * self.popularity
        beta = self.beta if beta is None else beta
        if beta and self.links is not None and self.links_t is not None and self.links.nnz:
            scores += np.float32(beta) * _two_hop(rows, self.links, self.links_t)
        if self.sim_t is not None and self.sim_t.nnz:
            scores += (rows @ self.sim_t).toarray()
        return np.ascontiguousarray(scores, dtype=np.float32)

    def explain(self, bought: list[int], items: list[int]) -> list[tuple[int | None, int]]:
        """Per item: the purchase that adds most to its score (``None`` when none adds
        anything) and how many purchases are linked to it by a sparse term (bought by a common
        user, a shared knowledge-graph entity, a kept neighbour): the item-item weights of
        the filter, read for ``bought`` x ``items`` only."""
        if not bought or not items:
            return [(None, 0)] * len(items)
        b, t = np.asarray(bought), np.asarray(items)
        contrib = np.zeros((b.size, t.size))
        linked = np.zeros((b.size, t.size), dtype=bool)
        sparse_terms: list[tuple[float, np.ndarray]] = []
        if self.norm_t is not None:
            sparse_terms.append((1.0, (self.norm_t[b] @ self.norm_t[t].T).toarray()))
        if self.beta and self.links_t is not None and self.links_t.nnz:
            sparse_terms.append((self.beta, (self.links_t[b] @ self.links_t[t].T).toarray()))
        if self.sim is not None and self.sim.nnz:
            sparse_terms.append((1.0, self.sim[t][:, b].T.toarray()))
        for weight, term in sparse_terms:
            contrib += weight * term
            linked |= term > 0
        if self.v.shape[1]:
            inv_sqrt, sqrt = _inv_sqrt(self.d_item), np.sqrt(self.d_item)
            contrib += self.alpha * inv_sqrt[b, None] * (self.v[b] @ self.v[t].T) * sqrt[t]
        best = contrib.argmax(0)
        return [
            (int(b[best[j]]) if contrib[best[j], j] > 0 else None, int(linked[:, j].sum()))
            for j in range(t.size)
        ]

    # --- storage -------------------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        """The scalars an artefact's manifest keeps (``scorer``); arrays go to tensors."""
        return {
            "kind": "filter",
            "linear": self.norm is not None,
            "alpha": self.alpha,
            "rank": int(self.v.shape[1]),
            "beta": self.beta,
            "pop_weight": self.pop_weight,
            "knn": self.sim is not None,
        }

    def to_tensors(self) -> dict[str, Tensor]:
        """The arrays that cannot be rebuilt from the history: the low-pass basis, the KG
        item-item matrix, kept neighbours, popularity. ``norm`` is rebuilt from the history
        (the artefact's ``history`` tensor) with the same normalisation."""
        out: dict[str, Tensor] = {"filter_v": torch.from_numpy(np.array(self.v, dtype=np.float32))}
        if self.popularity is not None:
            out["filter_popularity"] = torch.from_numpy(self.popularity.astype(np.float32))
        if self.links is not None and self.links.nnz:
            out.update(_csr_tensors("filter_links", self.links))
        if self.sim is not None:
            out.update(_csr_tensors("filter_sim", self.sim))
        return out

    @classmethod
    def from_tensors(
        cls, history: Tensor, num_users: int, num_items: int,
        tensors: dict[str, Tensor], config: dict[str, Any],
    ) -> ItemFilter:  # fmt: skip
        """The filter an artefact stored: ``history`` its ``(2, P)`` pairs, ``config`` its
        manifest's ``scorer``."""
        r = binary_matrix(history, num_users, num_items)
        norm, d_item = normalised(r) if config.get("linear") else (None, None)
        pop = tensors.get("filter_popularity")
        return cls(
            r,
            norm=norm,
            v=tensors["filter_v"].float().numpy(),
            d_item=d_item,
            alpha=float(config.get("alpha", 0.0)),
            links=_csr_from("filter_links", tensors, num_items),
            beta=float(config.get("beta", 0.0)),
            sim=_csr_from("filter_sim", tensors, num_items),
            popularity=pop.float().numpy() if pop is not None else None,
            pop_weight=float(config.get("pop_weight", 0.0)),
        )


def _two_hop(rows: sp.csr_matrix, m: sp.csr_matrix, m_t: sp.csr_matrix) -> np.ndarray:
    """``rows @ m_t @ m`` as a dense ``(B, items)`` float32 array.

    Why this order: ``(rows @ m_t) @ m`` is sparse-sparse, and its result (every item two hops
    from a block of users) is nearly dense at a million interactions, so scipy builds a huge
    sparse matrix only to densify it (4.4 s per 1,024 users at 30k x 41k). ``m @ rows.T`` is a
    small sparse result (the co-buyers); densified, it feeds one sparse-dense product
    ``m_t @ x`` that writes the dense scores directly (0.7 s, the same numbers to float32
    rounding: the same sums in another order)."""
    x = (m @ rows.T).toarray()  # (users or entities, B): tiny next to the scores
    return np.asarray(m_t @ x, dtype=np.float32).T


def normalised(r: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
    """:math:`D_U^{-1/2} R D_I^{-1/2}` of binary ``r`` (float32) and the item degrees."""
    d_user = np.asarray(r.sum(1)).ravel()
    d_item = np.asarray(r.sum(0)).ravel()
    norm = (sp.diags(_inv_sqrt(d_user)) @ r @ sp.diags(_inv_sqrt(d_item))).tocsr()
    return norm.astype(np.float32), d_item.astype(np.float32)


def _csr_tensors(prefix: str, m: sp.spmatrix) -> dict[str, Tensor]:
    """A sparse matrix as plain tensors (``weights_only`` loading accepts nothing else)."""
    c = sp.csr_matrix(m, dtype=np.float32)
    return {
        f"{prefix}_indptr": torch.from_numpy(c.indptr.astype(np.int64)),
        f"{prefix}_indices": torch.from_numpy(c.indices.astype(np.int64)),
        f"{prefix}_data": torch.from_numpy(c.data),
        f"{prefix}_shape": torch.tensor(c.shape, dtype=torch.long),
    }


def _csr_from(prefix: str, tensors: dict[str, Tensor], num_items: int) -> sp.csr_matrix | None:
    if f"{prefix}_data" not in tensors:
        return None
    shape = tuple(int(x) for x in tensors[f"{prefix}_shape"].tolist())
    if shape[1] != num_items:
        raise ValueError(f"{prefix}: {shape[1]} item columns, the artefact has {num_items} items")
    return sp.csr_matrix(
        (
            tensors[f"{prefix}_data"].float().numpy(),
            tensors[f"{prefix}_indices"].numpy(),
            tensors[f"{prefix}_indptr"].numpy(),
        ),
        shape=shape,
    )
