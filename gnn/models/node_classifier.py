"""A heterogeneous GraphSAGE node classifier built from whatever types a graph has.

Hamilton et al., "Inductive Representation Learning on Large Graphs" (NeurIPS 2017,
https://arxiv.org/abs/1706.02216), one ``SAGEConv`` per relation summed by ``HeteroConv``
(R-GCN's scheme, Schlichtkrull et al. 2018). Node types with features start from a linear
projection of standardised ``x``; featureless types (cards, devices) start from a learnable ID
embedding. The head sees the target's input projection next to its last hidden state (a
jumping-knowledge skip), so the tabular signal is never washed out by neighbours.
"""

from __future__ import annotations

from typing import Any, cast

import torch
from torch import Tensor, nn
from torch_geometric.nn import HeteroConv, SAGEConv
from torch_geometric.typing import EdgeType


class Standardise(nn.Module):
    """``(x - mean) / std`` with statistics fixed at construction (of the training nodes), kept
    as buffers so they travel in the ``state_dict``."""

    mean: Tensor
    std: Tensor

    def __init__(self, width: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(width))
        self.register_buffer("std", torch.ones(width))

    def fit(self, x: Tensor) -> Standardise:
        with torch.no_grad():
            self.mean.copy_(x.mean(0))
            self.std.copy_(
                x.std(0).clamp_min(1e-6) if x.shape[0] > 1 else torch.ones_like(self.std)
            )
        return self

    def forward(self, x: Tensor) -> Tensor:
        return ((x - self.mean) / self.std).clamp(-10.0, 10.0)


class SavedShape:
    """The constructor arguments every node classifier shares, so one artefact format (config
    beside the ``state_dict``) rebuilds any of them; ``layers_name`` is what ``repr`` calls the
    depth (a band-pass filter's depth is its polynomial order)."""

    target: str
    x_dims: dict[str, int]
    num_nodes: dict[str, int]
    edge_types: list[EdgeType]
    dim: int
    num_layers: int
    dropout: nn.Dropout
    layers_name = "num_layers"

    def config(self) -> dict[str, Any]:
        """Everything ``cls(**config)`` needs: saved beside the ``state_dict``."""
        return {
            "target": self.target,
            "x_dims": self.x_dims,
            "num_nodes": self.num_nodes,
            "edge_types": [list(et) for et in self.edge_types],
            "dim": self.dim,
            "num_layers": self.num_layers,
            "dropout": float(self.dropout.p),
        }

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.target!r}, dim={self.dim}, "
            f"{self.layers_name}={self.num_layers}, relations={len(self.edge_types)})"
        )


class NodeClassifier(SavedShape, nn.Module):
    r"""Input projection → ``num_layers`` x (HeteroConv(SAGE) → LayerNorm → ReLU → residual) →
    MLP on ``[input, hidden]`` of the target type → one logit per target node.

    Args:
        target (str): node type to classify.
        x_dims (dict[str, int]): feature width per node type (0: use an ID embedding).
        num_nodes (dict[str, int]): rows per featureless node type (for its ID embedding).
        edge_types (list[EdgeType]): relations to convolve over.
        dim (int, optional): hidden width. (default: :obj:`64`)
        num_layers (int, optional): message-passing layers. (default: :obj:`2`)
        dropout (float, optional): dropout on hidden states. (default: :obj:`0.2`)

    Shapes:
        - **input:** ``x`` dict (type → :math:`(N_t, F_t)`), ``edge_index`` dict
        - **output:** :math:`(N_\text{target},)` logits
    """

    def __init__(
        self,
        target: str,
        x_dims: dict[str, int],
        num_nodes: dict[str, int],
        edge_types: list[EdgeType],
        dim: int = 64,
        num_layers: int = 2,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        self.target, self.dim, self.num_layers = target, dim, num_layers
        self.x_dims = dict(x_dims)
        self.num_nodes = {t: int(num_nodes.get(t, 0)) for t in x_dims if not x_dims[t]}
        self.edge_types = [tuple(et) for et in edge_types]
        self.proj = nn.ModuleDict({t: nn.Linear(d, dim) for t, d in x_dims.items() if d})
        self.scale = nn.ModuleDict({t: Standardise(d) for t, d in x_dims.items() if d})
        self.ids = nn.ModuleDict({t: nn.Embedding(n, dim) for t, n in self.num_nodes.items()})
        self.convs = nn.ModuleList(
            HeteroConv({et: SAGEConv((dim, dim), dim) for et in self.edge_types}, aggr="sum")
            for _ in range(num_layers)
        )
        dsts = sorted({et[2] for et in self.edge_types})
        self.norms = nn.ModuleList(
            nn.ModuleDict({t: nn.LayerNorm(dim) for t in dsts}) for _ in range(num_layers)
        )
        self.head = nn.Sequential(nn.Linear(2 * dim, dim), nn.ReLU(), nn.Linear(dim, 1))
        self.dropout = nn.Dropout(dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for lin in self.proj.values():
            cast(nn.Linear, lin).reset_parameters()
        for emb in self.ids.values():
            nn.init.normal_(cast(nn.Embedding, emb).weight, std=0.1)
        for conv in self.convs:
            cast(HeteroConv, conv).reset_parameters()
        for layer in self.norms:
            for norm in cast(nn.ModuleDict, layer).values():
                cast(nn.LayerNorm, norm).reset_parameters()
        for mod in self.head:
            if isinstance(mod, nn.Linear):
                mod.reset_parameters()

    def embed(self, x: dict[str, Tensor], edges: dict[EdgeType, Tensor]) -> dict[str, Tensor]:
        """Hidden states of every node type after message passing (for explanations, links)."""
        h = {t: self.proj[t](self.scale[t](x[t])).relu() for t in self.proj}
        h.update({t: cast(nn.Embedding, self.ids[t]).weight for t in self.ids})
        self._inputs = h[self.target]
        for conv, layer in zip(self.convs, self.norms, strict=True):
            present = {et: e for et, e in edges.items() if et in self.edge_types}
            out = conv(h, present) if present else {}
            norms = cast(nn.ModuleDict, layer)
            h = {t: h[t] + self.dropout(norms[t](out[t]).relu()) if t in out else h[t] for t in h}
        return h

    def forward(self, x: dict[str, Tensor], edges: dict[EdgeType, Tensor]) -> Tensor:
        h = self.embed(x, edges)
        both = torch.cat([self.dropout(self._inputs), h[self.target]], dim=-1)
        return cast(Tensor, self.head(both)).squeeze(-1)
