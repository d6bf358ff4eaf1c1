"""Matrix factorisation trained with BPR: the classic collaborative-filtering baseline.

Rendle et al., "BPR: Bayesian Personalized Ranking from Implicit Feedback" (UAI 2009,
https://arxiv.org/abs/1205.2618). A user's score for an item is the dot product of two free
vectors; it sees only who bought what, which is what makes it the reference a graph model must
beat.
"""

from __future__ import annotations

from torch import Tensor, nn
from torch_geometric.data import HeteroData


class MatrixFactorization(nn.Module):
    r"""One embedding table for users, one for items.

    Args:
        num_users (int): number of users.
        num_items (int): number of items.
        dim (int, optional): embedding width. (default: :obj:`64`)
        init_std (float, optional): std of the initial embeddings. (default: :obj:`0.1`)

    Shapes:
        - **input:** a graph (ignored: the model has no message passing)
        - **output:** users :math:`(|\mathcal{U}|, \text{dim})`, items
          :math:`(|\mathcal{I}|, \text{dim})`
    """

    def __init__(self, num_users: int, num_items: int, dim: int = 64, init_std: float = 0.1):
        super().__init__()
        self.num_users, self.num_items, self.dim, self.init_std = (
            num_users,
            num_items,
            dim,
            init_std,
        )
        self.user_emb = nn.Embedding(num_users, dim)
        self.item_emb = nn.Embedding(num_items, dim)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.normal_(self.user_emb.weight, std=self.init_std)
        nn.init.normal_(self.item_emb.weight, std=self.init_std)

    def forward(self, graph: HeteroData | None = None) -> tuple[Tensor, Tensor]:
        return self.user_emb.weight, self.item_emb.weight

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.num_users}, {self.num_items}, dim={self.dim})"
