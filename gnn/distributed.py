"""BPR training of an embedding recommender on several processes with ``torch.distributed`` DDP.

Every rank holds the whole (small) training graph and a full copy of the model; what is split is
the work of a step: each global batch of (user, bought item, random item) triples, drawn exactly
as ``gnn.train.fit_bpr`` draws it, is cut into one shard per rank. Each rank back-propagates the
loss of its shard scaled so that DDP's gradient average equals the gradient of the full batch's
loss, so W ranks take the same optimiser steps as one process (up to floating-point summation
order) while each does 1/W of the scoring and back-propagation.

Launch on one machine with two GPUs (NCCL) or two CPU processes (gloo)::

    torchrun --standalone --nproc_per_node=2 -m gnn.distributed --model lightgcn --epochs 20

and across machines with ``--nnodes``, ``--node_rank`` and ``--rdzv_endpoint``. Without
torchrun (no ``WORLD_SIZE`` in the environment) the same command trains in one process.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel
from torch_geometric.data import HeteroData

from gnn.device import autocast, seed_everything
from gnn.message_graph import BOUGHT
from gnn.models.lightgcn import UserItemLightGCN
from gnn.models.mf import MatrixFactorization
from gnn.synthetic import toy_purchase_graph
from gnn.train import TrainConfig, TrainResult, batch_loss, draw_negatives, fit_bpr
from gnn.train_loop import Checkpoint, run_epochs


def fit_bpr_ddp(
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
    """``gnn.train.fit_bpr`` (same arguments, same result) inside an initialised process group.

    Every rank must pass the same graph, positives, model initialisation and generator state:
    the permutation and negatives are drawn identically on each rank (the generator is the
    shared random stream), so no sampling state has to be communicated. The curve's loss is the
    global batch mean, the number ``fit_bpr`` reports. With early stopping, rank 0's valid score
    is broadcast so that every rank keeps the same best epoch and stops at the same time, and
    rank 0's elapsed time decides the time budget for all. ``checkpoint`` is not used here: the
    ranks would race on one file and must resume together (a restarted group starts over)."""
    rank, world = dist.get_rank(), dist.get_world_size()
    cfg = cfg.resolved()
    device = next(model.parameters()).device
    ddp = DistributedDataParallel(
        model, device_ids=[device.index] if device.type == "cuda" else None
    )
    assert cfg.lr is not None
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    graph, positives = graph.to(device), positives.to(device)

    def step() -> float:
        return _ddp_epoch(ddp, graph, positives, num_items, cfg, opt, gen, rank, world)

    def agree(value: float) -> float:
        return _rank0(value, device)

    scored = (lambda: agree(evaluate())) if evaluate is not None else None
    return run_epochs(model, opt, gen, cfg, step, scored, epochs, metric, agree, label=label)


def _rank0(value: float, device: torch.device) -> float:
    """Rank 0's value on every rank (a float sent as a one-element tensor)."""
    t = torch.tensor([value], dtype=torch.float64, device=device)
    dist.broadcast(t, src=0)
    return float(t.item())


def _ddp_epoch(
    ddp: DistributedDataParallel,
    graph: HeteroData,
    positives: Tensor,
    num_items: int,
    cfg: TrainConfig,
    opt: torch.optim.Optimizer,
    gen: torch.Generator,
    rank: int,
    world: int,
) -> float:
    """``gnn.train._epoch`` with each batch sharded ``idx[rank::world]``; same draws, same order."""
    ddp.train()
    device = positives.device
    perm = torch.randperm(positives.shape[1], generator=gen).to(device)
    negatives = draw_negatives(positives.shape[1], num_items, cfg.negatives, gen).to(device)
    assert cfg.emb_reg is not None
    total, steps = 0.0, 0
    for start in range(0, perm.numel(), cfg.batch_size):
        batch = perm[start : start + cfg.batch_size]
        n, idx = batch.numel(), batch[rank::world]
        with autocast(device, cfg.amp):
            u_emb, i_emb = ddp(graph)
            loss, reg = batch_loss(
                u_emb, i_emb, positives[0, idx], positives[1, idx], negatives[idx]
            )
            # Sums over the shard divided by the global batch size, times ``world`` because
            # DDP averages gradients over ranks: the average is then the full batch's gradient.
            shard_loss = loss * idx.numel() if idx.numel() else u_emb.sum() * 0.0
            loss_all = (shard_loss + cfg.emb_reg * reg) * world / n
        opt.zero_grad(set_to_none=True)
        loss_all.backward()
        opt.step()
        summed = shard_loss.detach().reshape(1).clone()
        dist.all_reduce(summed)  # the global batch's mean BPR loss, for the curve
        total, steps = total + float(summed) / n, steps + 1
    return total / max(steps, 1)


def toy_problem(seed: int) -> tuple[HeteroData, Tensor, int, int]:
    """The synthetic purchase graph reduced to what an embedding recommender trains on:
    (user, product) purchases as ``BOUGHT`` edges, and the same pairs as positives."""
    toy = toy_purchase_graph(num_users=60, num_items=40, num_orders=600, seed=seed)
    buyer = toy["User", "PLACED", "Order"].edge_index
    item = toy["Order", "CONTAINS", "Product"].edge_index
    order_item = torch.empty(toy["Order"].num_nodes, dtype=torch.long)
    order_item[item[0]] = item[1]
    positives = torch.unique(torch.stack([buyer[0], order_item[buyer[1]]]), dim=1)
    graph = HeteroData()
    graph["User"].num_nodes = toy["User"].num_nodes
    graph["Product"].num_nodes = toy["Product"].num_nodes
    graph["User", BOUGHT, "Product"].edge_index = positives
    return graph, positives, toy["User"].num_nodes, toy["Product"].num_nodes


def build(name: str, num_users: int, num_items: int, dim: int) -> nn.Module:
    """The two embedding recommenders this entry point trains."""
    if name == "mf":
        return MatrixFactorization(num_users, num_items, dim)
    if name == "lightgcn":
        return UserItemLightGCN(num_users, num_items, ("User", BOUGHT, "Product"), dim, 2)
    raise ValueError(f"unknown model {name!r}; expected 'mf' or 'lightgcn'")


def train_toy(
    model_name: str, seed: int, epochs: int, cfg: TrainConfig, dim: int = 16
) -> tuple[nn.Module, TrainResult]:
    """Train on the toy problem: DDP when a process group is up, else the plain ``fit_bpr``."""
    graph, positives, num_users, num_items = toy_problem(seed)
    gen = seed_everything(seed)
    model = build(model_name, num_users, num_items, dim)
    if dist.is_available() and dist.is_initialized():
        local = int(os.environ.get("LOCAL_RANK", "0"))
        device = torch.device(f"cuda:{local}" if torch.cuda.is_available() else "cpu")
        ddp = fit_bpr_ddp(model.to(device), graph, positives, num_items, cfg, gen, epochs=epochs)
        return model, ddp
    return model, fit_bpr(model, graph, positives, num_items, cfg, gen, epochs=epochs)


def main(argv: list[str] | None = None) -> None:
    """``torchrun ... -m gnn.distributed``: trains, and rank 0 writes the curve and embeddings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["mf", "lightgcn"], default="mf")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="folder for curve.json, emb.pt")
    args = parser.parse_args(argv)
    distributed = "WORLD_SIZE" in os.environ
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    cfg = TrainConfig(batch_size=args.batch_size)
    try:
        model, result = train_toy(args.model, args.seed, args.epochs, cfg)
        if not distributed or dist.get_rank() == 0:
            report: dict[str, Any] = {
                "model": args.model, "seed": args.seed, "data": "toy_purchase_graph(60, 40, 600)",
                "world_size": dist.get_world_size() if distributed else 1,
                "config": asdict(cfg), "curve": result.curve,
            }  # fmt: skip
            print(json.dumps(report))
            if args.out is not None:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / "curve.json").write_text(json.dumps(report, indent=2))
                with torch.no_grad():
                    users, items = model(
                        toy_problem(args.seed)[0].to(next(model.parameters()).device)
                    )
                torch.save({"users": users.cpu(), "items": items.cpu()}, args.out / "emb.pt")
    finally:
        if distributed:
            dist.destroy_process_group()


if __name__ == "__main__":
    main()
