"""GraphSAGE on every relation of the knowledge graph (``HeteroConv``), content-aware inputs.

Hamilton et al., "Inductive Representation Learning on Large Graphs" (NeurIPS 2017,
https://arxiv.org/abs/1706.02216), made heterogeneous with one ``SAGEConv`` per relation and a
mean over the relations entering a node type (Schlichtkrull et al.'s R-GCN scheme). Unlike
:class:`~gnn.models.kg_lightgcn.KGLightGCN` each layer has weights and a non-linearity; it is the
textbook PyG recipe, kept as the learnable-convolution alternative to compare against.
"""

from __future__ import annotations

from typing import cast

from torch import Tensor, nn
from torch_geometric.data import HeteroData
from torch_geometric.nn import HeteroConv, SAGEConv
from torch_geometric.typing import EdgeType

from gnn.models.encoder import NodeEncoder, NodeSpec


class HeteroSAGE(nn.Module):
    r"""``num_layers`` x (``HeteroConv`` of ``SAGEConv`` → LayerNorm → ReLU → residual).

    Args:
        specs (dict[str, NodeSpec]): node types of the training graph (see ``node_specs``).
        edge_types (list[EdgeType]): relations to convolve over (reverse edges included).
        user (str): the user node type. item (str): the item node type.
        dim (int, optional): embedding width. (default: :obj:`64`)
        num_layers (int, optional): convolution layers. (default: :obj:`2`)
        dropout (float, optional): dropout on hidden states. (default: :obj:`0.1`)
        id_dropout (float, optional): see :class:`NodeEncoder`. (default: :obj:`0.0`)

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
        num_layers: int = 2,
        dropout: float = 0.1,
        id_dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.user, self.item, self.dim, self.num_layers = user, item, dim, num_layers
        self.edge_types = [et for et in edge_types if et[0] in specs and et[2] in specs]
        self.encoder = NodeEncoder(specs, dim, id_dropout)
        self.convs = nn.ModuleList(
            HeteroConv({et: SAGEConv((dim, dim), dim) for et in self.edge_types}, aggr="mean")
            for _ in range(num_layers)
        )
        targets = sorted({et[2] for et in self.edge_types})
        self.norms = nn.ModuleList(
            nn.ModuleDict({t: nn.LayerNorm(dim) for t in targets}) for _ in range(num_layers)
        )
        self.dropout = nn.Dropout(dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.encoder.reset_parameters()
        for conv in self.convs:
            cast(HeteroConv, conv).reset_parameters()
        for layer in self.norms:
            for norm in cast(nn.ModuleDict, layer).values():
                cast(nn.LayerNorm, norm).reset_parameters()

    def forward(self, graph: HeteroData) -> tuple[Tensor, Tensor]:
        h = self.encoder(graph)
        edges = {et: graph[et].edge_index for et in self.edge_types}
        for conv, layer in zip(self.convs, self.norms, strict=True):
            out = conv(h, edges)
            norms = cast(nn.ModuleDict, layer)
            h = {t: h[t] + self.dropout(norms[t](out[t]).relu()) if t in out else h[t] for t in h}
        return h[self.user], h[self.item]

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.dim}, num_layers={self.num_layers}, "
            f"relations={len(self.edge_types)})"
        )
