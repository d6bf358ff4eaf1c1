"""PyG's LightGCN on the user-item purchase graph of a ``HeteroData``.

He et al., "LightGCN: Simplifying and Powering Graph Convolution Network for Recommendation"
(SIGIR 2020, https://arxiv.org/abs/2002.02126). The network is
``torch_geometric.nn.models.LightGCN`` unchanged; this wrapper only lays users and items out as
one homogeneous graph (users ``0..U-1``, items ``U..U+I-1``, both edge directions), so it trains
through the same loop as the other models. It sees purchases only: the strongest
collaborative-filtering GNN without side information.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.data import HeteroData
from torch_geometric.nn.models import LightGCN


class UserItemLightGCN(nn.Module):
    r"""LightGCN over the ``(user, rel, item)`` edges of a heterogeneous graph.

    Args:
        num_users (int): number of users.
        num_items (int): number of items.
        edge_type (tuple[str, str, str]): the purchase relation, e.g.
            ``("User", "BOUGHT", "Product")``.
        dim (int, optional): embedding width. (default: :obj:`64`)
        num_layers (int, optional): propagation steps. (default: :obj:`3`)

    Shapes:
        - **input:** a ``HeteroData`` holding ``edge_type``
        - **output:** users :math:`(|\mathcal{U}|, \text{dim})`, items
          :math:`(|\mathcal{I}|, \text{dim})`
    """

    def __init__(
        self,
        num_users: int,
        num_items: int,
        edge_type: tuple[str, str, str],
        dim: int = 64,
        num_layers: int = 3,
    ) -> None:
        super().__init__()
        self.num_users, self.num_items, self.edge_type = num_users, num_items, edge_type
        self.lightgcn = LightGCN(num_users + num_items, dim, num_layers)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.lightgcn.reset_parameters()
        nn.init.normal_(self.lightgcn.embedding.weight, std=0.1)  # as in the paper's code

    def homogeneous_edges(self, graph: HeteroData) -> Tensor:
        """Both directions of the purchase edges, items shifted by ``num_users``."""
        u, i = graph[self.edge_type].edge_index
        i = i + self.num_users
        return torch.stack([torch.cat([u, i]), torch.cat([i, u])])

    def forward(self, graph: HeteroData) -> tuple[Tensor, Tensor]:
        emb = self.lightgcn.get_embedding(self.homogeneous_edges(graph))
        return emb[: self.num_users], emb[self.num_users :]

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.num_users}, {self.num_items}, "
            f"dim={self.lightgcn.embedding_dim}, num_layers={self.lightgcn.num_layers})"
        )
