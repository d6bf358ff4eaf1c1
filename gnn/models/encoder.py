"""Input embeddings for every node type of a heterogeneous graph, built from its schema.

A node's starting vector is the sum of what the graph offers for it:

* a learnable ID embedding (collaborative signal; every node type has one),
* a linear projection of its float features ``x`` (price, rating, a text ``embedding``),
* the mean of learnable token embeddings over its ``tokens`` (title and category words).

The content parts are what a never-bought product still has, so they carry it into the ranking
(cold start). ``id_dropout`` zeroes a share of ID embeddings while training so the model learns
to score from content alone, which is the situation of every new product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import torch
from torch import Tensor, nn
from torch_geometric.data import HeteroData


@dataclass(frozen=True)
class NodeSpec:
    """What one node type brings: row count, feature width, token vocabulary size (0: none)."""

    num_nodes: int
    x_dim: int = 0
    num_tokens: int = 0


def node_specs(graph: HeteroData) -> dict[str, NodeSpec]:
    """Read the specs off a graph, so a model adapts to whatever the export contained."""
    specs = {}
    for t in graph.node_types:
        store = graph[t]
        x_dim = int(store.x.shape[1]) if "x" in store else 0
        tokens = store.tokens if "tokens" in store else None
        n_tok = int(tokens.max()) + 1 if tokens is not None and tokens.numel() else 0
        specs[t] = NodeSpec(int(store.num_nodes), x_dim, n_tok)
    return specs


class NodeEncoder(nn.Module):
    r"""ID embedding + projected features + mean token embedding, per node type.

    Args:
        specs (dict[str, NodeSpec]): node types and what each carries (see :func:`node_specs`).
        dim (int): output width.
        id_dropout (float, optional): probability of zeroing a node's ID embedding in training.
            (default: :obj:`0.0`)
        init_std (float, optional): std of the ID and token embeddings at reset; small, so
            untrained rows (cold items) start near zero. (default: :obj:`0.1`)

    Shapes:
        - **input:** a ``HeteroData`` with the types of ``specs``
        - **output:** ``dict`` node type → :math:`(|\mathcal{V}_t|, \text{dim})`
    """

    def __init__(
        self, specs: dict[str, NodeSpec], dim: int, id_dropout: float = 0.0, init_std: float = 0.1
    ) -> None:
        super().__init__()
        self.specs, self.dim, self.id_dropout, self.init_std = specs, dim, id_dropout, init_std
        self.ids = nn.ModuleDict({t: nn.Embedding(s.num_nodes, dim) for t, s in specs.items()})
        self.proj = nn.ModuleDict(
            {t: nn.Linear(s.x_dim, dim, bias=False) for t, s in specs.items() if s.x_dim}
        )
        self.tokens = nn.ModuleDict(
            {
                t: nn.EmbeddingBag(s.num_tokens, dim, mode="mean", padding_idx=0)
                for t, s in specs.items()
                if s.num_tokens
            }
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for emb in self.ids.values():
            nn.init.normal_(cast(nn.Embedding, emb).weight, std=self.init_std)
        for lin in self.proj.values():
            cast(nn.Linear, lin).reset_parameters()
        for bag in self.tokens.values():
            weight = cast(nn.EmbeddingBag, bag).weight
            nn.init.normal_(weight, std=self.init_std)
            with torch.no_grad():
                weight[0].zero_()  # padding contributes nothing

    def forward(self, graph: HeteroData) -> dict[str, Tensor]:
        out: dict[str, Tensor] = {}
        for t in self.specs:
            h: Tensor = cast(nn.Embedding, self.ids[t]).weight
            if self.training and self.id_dropout > 0 and (t in self.proj or t in self.tokens):
                keep = torch.rand(h.shape[0], 1, device=h.device) >= self.id_dropout
                h = h * keep
            if t in self.proj:
                h = h + self.proj[t](graph[t].x.to(h.dtype))
            if t in self.tokens:
                h = h + self.tokens[t](graph[t].tokens)
            out[t] = h
        return out

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(types={len(self.specs)}, dim={self.dim})"
