"""LightGCN generalised to a heterogeneous knowledge graph, with content-aware inputs.

LightGCN (He et al., 2020, https://arxiv.org/abs/2002.02126) propagates ID embeddings over the
user-item graph with no weights and no non-linearity, which is what works best for collaborative
filtering. Here the same symmetric-normalised propagation runs over *every* relation of the
training graph (purchases, reviews, shared e-mails, categories, brands, ...), each relation with
a learnable weight (softmax over the relations entering a node type), and the layer-0 vectors
come from :class:`NodeEncoder`: IDs plus projected features and title tokens. Knowledge the
purchase matrix lacks (what a product is, which accounts belong together) thus shapes the
embeddings, and products nobody bought yet still get a meaningful vector.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.data import HeteroData
from torch_geometric.typing import EdgeType

from gnn.models.encoder import NodeEncoder, NodeSpec
from gnn.models.sparse_prop import cached, propagate, sparse_matrix, sym_norm


class KGLightGCN(nn.Module):
    r"""Weight-free propagation over all relations, learnable relation mix, layer averaging.

    Args:
        specs (dict[str, NodeSpec]): node types of the training graph (see ``node_specs``).
        edge_types (list[EdgeType]): relations to propagate over (reverse edges included).
        user (str): the user node type. item (str): the item node type.
        dim (int, optional): embedding width. (default: :obj:`64`)
        num_layers (int, optional): propagation steps; 3 reaches item → user → item → user.
            (default: :obj:`3`)
        id_dropout (float, optional): see :class:`NodeEncoder`. (default: :obj:`0.0`)
        recency_days (float, optional): if set, edges with a ``time`` (purchases) weigh
            ``1 + g * exp(-age / recency_days)`` with a learnt gain ``g``, age counted back from
            the relation's latest edge (the cut), so last week's phone outweighs January's.
            (default: :obj:`None`)

    Shapes:
        - **input:** a ``HeteroData`` with ``edge_index`` on ``edge_types``
        - **output:** users :math:`(|\mathcal{U}|, \text{dim})`, items
          :math:`(|\mathcal{I}|, \text{dim})`
    """

    def __init__(
        self,
        specs: dict[str, NodeSpec],
        edge_types: list[EdgeType],
        user: str,
        item: str,
        dim: int = 64,
        num_layers: int = 3,
        id_dropout: float = 0.0,
        recency_days: float | None = None,
    ) -> None:
        super().__init__()
        self.user, self.item, self.dim, self.num_layers = user, item, dim, num_layers
        self.recency_days = recency_days
        self.edge_types = [et for et in edge_types if et[0] in specs and et[2] in specs]
        self.encoder = NodeEncoder(specs, dim, id_dropout)
        self.rel_logit = nn.Parameter(torch.zeros(len(self.edge_types)))
        self.recency_gain = nn.Parameter(torch.zeros(()))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.encoder.reset_parameters()
        nn.init.zeros_(self.rel_logit)
        nn.init.zeros_(self.recency_gain)

    def forward(self, graph: HeteroData) -> tuple[Tensor, Tensor]:
        h = self.encoder(graph)
        mix = self._relation_mix()
        gain = nn.functional.softplus(self.recency_gain)
        mats = [self._matrices(graph, et, h) for et in self.edge_types]
        total = {t: v.float() / (self.num_layers + 1) for t, v in h.items()}
        for _ in range(self.num_layers):
            out: dict[str, Tensor] = {t: torch.zeros_like(v) for t, v in total.items()}
            for k, et in enumerate(self.edge_types):
                adj, adj_t, recent, recent_t = mats[k]
                msg = propagate(adj, h[et[0]], adj_t)
                if recent is not None:  # the learnt recency boost is linear in its gain
                    msg = msg + gain * propagate(recent, h[et[0]], recent_t)
                out[et[2]] = out[et[2]] + mix[k] * msg
            h = out
            total = {t: total[t] + v / (self.num_layers + 1) for t, v in h.items()}
        return total[self.user], total[self.item]

    def _matrices(
        self, graph: HeteroData, et: EdgeType, h: dict[str, Tensor]
    ) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        """``(A, A^T, R, R^T)`` of relation ``et``, built once per graph: ``A`` the symmetric
        degree normalisation as a ``(dst, src)`` sparse matrix, ``R`` the same times the
        recency decay on timed relations (``None`` without recency)."""
        store = graph[et]
        n_src, n_dst = h[et[0]].shape[0], h[et[2]].shape[0]
        src, dst = store.edge_index
        timed = self.recency_days is not None and "time" in store and store.num_edges > 0

        def build(recency: bool) -> tuple[Tensor, Tensor]:
            values = sym_norm(store.edge_index, n_src, n_dst)
            if recency:
                assert self.recency_days is not None
                age_days = (store.time.max() - store.time).float() / 86_400.0
                values = values * torch.exp(-age_days / self.recency_days)
            return (
                sparse_matrix(dst, src, values, (n_dst, n_src)),
                sparse_matrix(src, dst, values, (n_src, n_dst)),
            )

        key = f"kg-{n_src}-{n_dst}"
        adj, adj_t = cached(store.edge_index, key, lambda: build(False))
        if not timed:
            return adj, adj_t, None, None
        rkey = f"{key}-recency-{self.recency_days}"
        recent, recent_t = cached(store.edge_index, rkey, lambda: build(True))
        return adj, adj_t, recent, recent_t

    def _relation_mix(self) -> Tensor:
        """Softmax of the relation logits over the relations that enter the same node type."""
        mix = torch.empty_like(self.rel_logit)
        dsts = [et[2] for et in self.edge_types]
        for t in sorted(set(dsts)):
            idx = torch.tensor([k for k, d in enumerate(dsts) if d == t], device=mix.device)
            mix[idx] = torch.softmax(self.rel_logit[idx], 0)
        return mix

    def relation_weights(self) -> dict[str, float]:
        """The learnt share of each relation in its destination's update (for reports)."""
        mix = self._relation_mix().detach().cpu().tolist()
        return {"-".join(et): round(w, 4) for et, w in zip(self.edge_types, mix, strict=True)}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.dim}, num_layers={self.num_layers}, "
            f"relations={len(self.edge_types)})"
        )
