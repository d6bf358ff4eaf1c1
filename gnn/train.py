"""One BPR training loop for every embedding recommender (MF, LightGCN, the graph models).

Each step runs full-graph message passing (the training graph fits in memory), scores a batch of
(user, bought item, random item) triples and minimises the BPR loss
``-log sigmoid(s(u, i+) - s(u, i-))`` with AdamW. After each epoch the caller's ``evaluate``
gives valid Recall@20; the best epoch's weights are kept and training stops after ``patience``
epochs without improvement. A refit on more data runs a fixed number of epochs instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from pydantic import ConfigDict
from pydantic.dataclasses import dataclass as config_dataclass
from torch import Tensor, nn
from torch_geometric.data import HeteroData

from gnn.device import autocast
from gnn.early_stop import EarlyStopping

Embedder = Callable[[HeteroData], tuple[Tensor, Tensor]]


@config_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class TrainConfig:
    """Optimisation settings shared by all trained models: the ``train:`` block of a
    link-prediction task spec (a pydantic dataclass, so the spec validates into the very type
    ``fit_bpr`` consumes; unknown keys are refused, ``[E144]`` from ``gnn.tasks.spec``).

    Args:
        lr: AdamW learning rate; 0.01 suits embedding tables of this size.
        weight_decay: AdamW's decoupled decay (applies to every weight each step); off by
            default because ``emb_reg`` regularises only the rows a batch uses, which is what
            matters for embedding tables.
        emb_reg: L2 on the batch's final embeddings, LightGCN-style, per triple.
        batch_size: triples per step; 4096 keeps an epoch of the small data to 4 full-graph
            passes, which is what the time goes into.
        max_epochs, patience: early-stopping budget on valid Recall@20; graph models plateau
            for 10-20 epochs before the collaborative signal takes over, hence 25.
        amp: bfloat16 autocast on CUDA (no effect on CPU).
    """

    lr: float = 0.01
    weight_decay: float = 0.0
    emb_reg: float = 1e-4
    batch_size: int = 4096
    max_epochs: int = 400
    patience: int = 25
    amp: bool = True


@dataclass
class TrainResult:
    """Per-epoch curve, chosen epoch and timing; ``best_epoch`` counts from 1."""

    curve: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int = 0
    best_valid: float = float("nan")
    seconds_per_epoch: float = 0.0


def bpr_loss(user: Tensor, pos: Tensor, neg: Tensor) -> Tensor:
    """Mean ``-log sigmoid(u.i+ - u.i-)``; ``softplus(-x)`` is its overflow-free form."""
    return F.softplus(-((user * pos).sum(-1) - (user * neg).sum(-1))).mean()


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
) -> TrainResult:
    """Train ``model`` (graph → user, item embeddings) on ``(2, P)`` (user, item) positives.

    With ``evaluate`` and no ``epochs``: early stopping, best weights restored. With ``epochs``:
    exactly that many epochs (the refit after model selection). ``metric`` names what
    ``evaluate`` returns, for the curve."""
    device = next(model.parameters()).device
    graph, positives = graph.to(device), positives.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    result, stopper, train_s = TrainResult(), EarlyStopping(cfg.patience), 0.0
    for epoch in range(1, (epochs or cfg.max_epochs) + 1):
        t0 = time.perf_counter()
        loss = _epoch(model, graph, positives, num_items, cfg, opt, gen)
        train_s += time.perf_counter() - t0
        row: dict[str, Any] = {"epoch": epoch, "loss": round(loss, 6)}
        if evaluate is not None and epochs is None:
            row[f"valid_{metric}"] = score = evaluate()
            stopper.update(epoch, score, model)
        result.curve.append(row)
        if stopper.should_stop:
            break
    return finish(result, stopper, model, train_s)


def finish(
    result: TrainResult, stopper: EarlyStopping, model: nn.Module, train_s: float
) -> TrainResult:
    """Restore the best weights and fill in the chosen epoch, its score and the timing."""
    result.best_epoch = stopper.restore(model, len(result.curve))
    if stopper.improved_ever:
        result.best_valid = stopper.best
    result.seconds_per_epoch = round(train_s / max(len(result.curve), 1), 4)
    return result


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
    negatives = torch.randint(num_items, (positives.shape[1],), generator=gen).to(device)
    total, steps = 0.0, 0
    for start in range(0, perm.numel(), cfg.batch_size):
        idx = perm[start : start + cfg.batch_size]
        users, pos, neg = positives[0, idx], positives[1, idx], negatives[idx]
        with autocast(device, cfg.amp):
            u_emb, i_emb = model(graph)
            u, p, n = u_emb[users].float(), i_emb[pos].float(), i_emb[neg].float()
            loss = bpr_loss(u, p, n)
            reg = (u.pow(2).sum() + p.pow(2).sum() + n.pow(2).sum()) / (2 * idx.numel())
            loss_all = loss + cfg.emb_reg * reg
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
