"""One BPR training loop for every embedding recommender (MF, LightGCN, the graph models).

Each step runs full-graph message passing (the training graph fits in memory), scores a batch of
(user, bought item, ``negatives`` random items) tuples and minimises the BPR loss
``-log sigmoid(s(u, i+) - s(u, i-))`` with AdamW. Every ``eval_every`` epochs the caller's
``evaluate`` gives valid Recall@20; the best evaluation's weights are kept and training stops
after ``patience`` evaluations without improvement (never before ``min_epochs``) or when
``time_budget_s`` is spent. A refit on more data runs a fixed number of epochs instead. The
epoch loop itself (early stopping, budget, progress bar, checkpoints) is ``gnn.train_loop``,
shared with the DDP trainer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import torch
import torch.nn.functional as F
from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass as config_dataclass
from torch import Tensor, nn
from torch_geometric.data import HeteroData

from gnn.device import autocast
from gnn.train_loop import Checkpoint, TrainResult, run_epochs

__all__ = [
    "DEFAULT_EMB_REG",
    "DEFAULT_LR",
    "Checkpoint",
    "TrainConfig",
    "TrainResult",
    "batch_loss",
    "bpr_loss",
    "embedding_scorer",
    "fit_bpr",
]

Embedder = Callable[[HeteroData], tuple[Tensor, Tensor]]
DEFAULT_LR = 0.01  # suits embedding tables of this size; models may carry a tuned value
DEFAULT_EMB_REG = 1e-4  # LightGCN's paper value


@config_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class TrainConfig:
    """Optimisation settings shared by all trained models: the ``train:`` block of a
    link-prediction task spec (a pydantic dataclass, so the spec validates into the very type
    ``fit_bpr`` consumes; unknown keys are refused, ``[E144]`` from ``gnn.tasks.spec``).
    Every field is honoured by every trained model; a value the user sets always wins.

    Args:
        lr: AdamW learning rate; ``None`` takes the model's value tuned on valid
            (``gnn.recommend.MODEL_TRAIN``), else ``DEFAULT_LR``.
        weight_decay: AdamW's decoupled decay (applies to every weight each step); off by
            default because ``emb_reg`` regularises only the rows a batch uses, which is what
            matters for embedding tables.
        emb_reg: L2 on the batch's final embeddings, LightGCN-style, per triple; ``None`` as
            for ``lr``.
        batch_size: positives per step; 4096 keeps an epoch of the small data to 4 full-graph
            passes, which is what the time goes into. Large graphs want 32k or more.
        negatives: random items per positive (the loss averages over them); more negatives
            give each full-graph pass more signal.
        max_epochs, patience: the budget, and how many *evaluations* without improvement stop
            it; graph models plateau for 10-20 epochs before the collaborative signal takes
            over, hence 25.
        min_epochs: never stop early before this epoch (a noisy dip at epoch 1 must not end a
            run).
        eval_every: epochs between validations (an evaluation ranks the whole catalogue).
        eval_users: validate early stopping on this many valid users drawn once (seeded);
            ``None`` uses all. Reported valid metrics always use every valid user.
        time_budget_s: wall-clock seconds for one fit (training plus its validations); the
            best evaluation so far is kept when it runs out.
        dim: embedding width of every trained model (``None``: 64).
        amp: bfloat16 autocast on CUDA (no effect on CPU).
    """

    lr: float | None = Field(default=None, gt=0)
    weight_decay: float = Field(default=0.0, ge=0)
    emb_reg: float | None = Field(default=None, ge=0)
    batch_size: int = Field(default=4096, ge=1)
    negatives: int = Field(default=1, ge=1)
    max_epochs: int = Field(default=400, ge=1)
    min_epochs: int = Field(default=0, ge=0)
    patience: int = Field(default=25, ge=1)
    eval_every: int = Field(default=1, ge=1)
    eval_users: int | None = Field(default=None, ge=1)
    time_budget_s: float | None = Field(default=None, gt=0)
    dim: int | None = Field(default=None, ge=1)
    amp: bool = True

    def resolved(self, built_in: Mapping[str, Any] | None = None) -> TrainConfig:
        """``lr`` and ``emb_reg`` filled in where the user left them unset: the model's
        ``built_in`` value, else the defaults. A value the user gave is never replaced."""
        built_in = built_in or {}
        fill = {"lr": DEFAULT_LR, "emb_reg": DEFAULT_EMB_REG}
        values = {k: built_in.get(k, v) for k, v in fill.items() if getattr(self, k) is None}
        return self if not values else dataclasses.replace(self, **values)


def bpr_loss(user: Tensor, pos: Tensor, neg: Tensor) -> Tensor:
    """Mean ``-log sigmoid(u.i+ - u.i-)`` over the batch and its negatives; ``neg`` is
    ``(B, d)`` or ``(B, k, d)``. ``softplus(-x)`` is the overflow-free form."""
    pos_s = (user * pos).sum(-1)
    if neg.dim() == user.dim():
        return F.softplus(-(pos_s - (user * neg).sum(-1))).mean()
    neg_s = (user.unsqueeze(1) * neg).sum(-1)
    return F.softplus(-(pos_s.unsqueeze(1) - neg_s)).mean()


def batch_loss(
    u_emb: Tensor, i_emb: Tensor, users: Tensor, pos: Tensor, neg: Tensor
) -> tuple[Tensor, Tensor]:
    """``(mean BPR loss, summed L2 of the rows used / 2)`` for one batch; ``neg`` is ``(B,)`` or
    ``(B, k)`` item ids (the negatives' L2 is averaged over ``k``, so its scale does not grow
    with ``k``)."""
    u, p, n = u_emb[users].float(), i_emb[pos].float(), i_emb[neg].float()
    k = n.shape[1] if n.dim() == 3 else 1
    reg = (u.pow(2).sum() + p.pow(2).sum() + n.pow(2).sum() / k) / 2
    return bpr_loss(u, p, n), reg


def draw_negatives(num_positives: int, num_items: int, k: int, gen: torch.Generator) -> Tensor:
    """Uniform random items, ``(P,)`` for one negative (the historical stream) or ``(P, k)``."""
    shape = (num_positives,) if k == 1 else (num_positives, k)
    return torch.randint(num_items, shape, generator=gen)


def fit_bpr(
    model: nn.Module,
    graph: HeteroData,
    positives: Tensor,
    num_items: int,
    cfg: TrainConfig,
    gen: torch.Generator,
    evaluate: Callable[[], float] | None = None,
    epochs: int | None = None,
    metric: str = "recall@20",
    checkpoint: Checkpoint | None = None,
    label: str = "",
) -> TrainResult:
    """Train ``model`` (graph → user, item embeddings) on ``(2, P)`` (user, item) positives.

    With ``evaluate`` and no ``epochs``: early stopping, best weights restored. With ``epochs``:
    exactly that many epochs (the refit after model selection). ``metric`` names what
    ``evaluate`` returns, for the curve; ``checkpoint`` makes an interrupted fit resume;
    ``label`` names the progress bar."""
    cfg = cfg.resolved()
    device = next(model.parameters()).device
    graph, positives = graph.to(device), positives.to(device)
    assert cfg.lr is not None
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    def step() -> float:
        return _epoch(model, graph, positives, num_items, cfg, opt, gen)

    return run_epochs(
        model, opt, gen, cfg, step, evaluate, epochs, metric, checkpoint=checkpoint, label=label
    )


def _epoch(
    model: nn.Module,
    graph: HeteroData,
    positives: Tensor,
    num_items: int,
    cfg: TrainConfig,
    opt: torch.optim.Optimizer,
    gen: torch.Generator,
) -> float:
    """One pass over the shuffled positives with fresh uniform negatives; mean batch loss."""
    model.train()
    device = positives.device
    perm = torch.randperm(positives.shape[1], generator=gen).to(device)
    negatives = draw_negatives(positives.shape[1], num_items, cfg.negatives, gen).to(device)
    assert cfg.emb_reg is not None
    total, steps = 0.0, 0
    for start in range(0, perm.numel(), cfg.batch_size):
        idx = perm[start : start + cfg.batch_size]
        with autocast(device, cfg.amp):
            u_emb, i_emb = model(graph)
            loss, reg = batch_loss(
                u_emb, i_emb, positives[0, idx], positives[1, idx], negatives[idx]
            )
            loss_all = loss + cfg.emb_reg * reg / idx.numel()
        opt.zero_grad(set_to_none=True)
        loss_all.backward()
        opt.step()
        total, steps = total + float(loss.detach()), steps + 1
    return total / max(steps, 1)


@torch.no_grad()
def embedding_scorer(model: nn.Module, graph: HeteroData) -> Callable[[Tensor], Tensor]:
    """Embed once in eval mode and return ``users → (B, I)`` dot-product scores."""
    model.eval()
    device = next(model.parameters()).device
    u_emb, i_emb = model(graph.to(device))
    u_emb, i_emb = u_emb.float(), i_emb.float()
    return lambda users: u_emb[users.to(device)] @ i_emb.T
