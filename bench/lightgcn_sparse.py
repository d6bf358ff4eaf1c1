"""LightGCN training speed: Cartograph's model and loop beside a plain-torch LightGCN.

Issue 12 measured PyG's ``LightGCN`` (renormalising and scattering over the edge list at every
step) ~4.9x slower per step than a plain-torch LightGCN with one precomputed sparse adjacency.
This bench times one BPR epoch of each on the same synthetic power-law interaction graph, the
same batch size, negatives and optimiser, alternating them epoch by epoch so that a busy machine
slows both alike, and reports seconds per epoch with the plain-torch reference as the ratio's
base:

* ``cartograph``: ``gnn.models.lightgcn.UserItemLightGCN`` trained by ``gnn.train.fit_bpr``
  (the code every link task runs);
* ``reference``: 30 lines of plain torch below (COO adjacency, ``torch.sparse.mm`` with
  autograd's own backward, as the paper's code does);
* ``pyg`` (``--pyg``): ``torch_geometric.nn.models.LightGCN`` through the same ``fit_bpr``, the
  implementation Cartograph used before.

    .venv/bin/python bench/lightgcn_sparse.py                       # 20k x 20k, 300k, 3 epochs
    .venv/bin/python bench/lightgcn_sparse.py --users 30000 --items 41000 --interactions 810000
    .venv/bin/python bench/lightgcn_sparse.py --pyg --threads 1     # with the old path, 1 thread
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import torch
from torch import Tensor, nn
from torch_geometric.data import HeteroData

EDGE = ("User", "BOUGHT", "Product")
BASE = "reference"


def power_law_pairs(users: int, items: int, n: int, seed: int) -> Tensor:
    """``(2, P)`` distinct (user, item) pairs, both sides Zipf-like (a few heavy users and hit
    items, a long tail), the shape of public check-in and purchase data."""
    if n > users * items:
        raise ValueError(f"{n} distinct pairs do not fit in {users} x {items}")
    rng = np.random.default_rng(seed)
    u_w = 1.0 / np.arange(1, users + 1) ** 0.8
    i_w = 1.0 / np.arange(1, items + 1) ** 0.9
    codes = np.empty(0, dtype=np.int64)
    while codes.size < n:  # draw until enough distinct pairs (repeats are dropped)
        u = rng.choice(users, size=n, p=u_w / u_w.sum()).astype(np.int64)
        i = rng.choice(items, size=n, p=i_w / i_w.sum())
        codes = np.unique(np.concatenate([codes, u * items + i]))
    codes = rng.permutation(codes)[:n]  # a random subset, not the lowest codes
    return torch.from_numpy(np.stack([codes // items, codes % items]))


class ReferenceLightGCN(nn.Module):
    """Plain-torch LightGCN: one ``D^-1/2 A D^-1/2`` COO matrix, ``torch.sparse.mm`` per layer."""

    def __init__(self, pairs: Tensor, users: int, items: int, dim: int, layers: int) -> None:
        super().__init__()
        self.users, self.layers = users, layers
        self.emb = nn.Embedding(users + items, dim)
        nn.init.normal_(self.emb.weight, std=0.1)
        rows = torch.cat([pairs[0], pairs[1] + users])
        cols = torch.cat([pairs[1] + users, pairs[0]])
        deg = torch.bincount(rows, minlength=users + items).clamp(min=1).float().rsqrt()
        n = users + items
        self.adj = torch.sparse_coo_tensor(
            torch.stack([rows, cols]), deg[rows] * deg[cols], (n, n)
        ).coalesce()

    def forward(self) -> tuple[Tensor, Tensor]:
        x = out = self.emb.weight
        for _ in range(self.layers):
            x = torch.sparse.mm(self.adj, x)
            out = out + x
        out = out / (self.layers + 1)
        return out[: self.users], out[self.users :]


def reference_epoch(
    model: ReferenceLightGCN, opt: torch.optim.Optimizer, pairs: Tensor, items: int,
    batch: int, negatives: int, gen: torch.Generator, emb_reg: float,
) -> float:  # fmt: skip
    """One epoch of the reference: the same draws and loss as ``gnn.train`` computes."""
    perm = torch.randperm(pairs.shape[1], generator=gen)
    neg = torch.randint(items, (pairs.shape[1], negatives), generator=gen)
    t0 = time.perf_counter()
    for start in range(0, perm.numel(), batch):
        idx = perm[start : start + batch]
        u_emb, i_emb = model()
        u, p, q = u_emb[pairs[0, idx]], i_emb[pairs[1, idx]], i_emb[neg[idx]]
        pos_s = (u * p).sum(-1, keepdim=True)
        neg_s = (u.unsqueeze(1) * q).sum(-1)
        loss = nn.functional.softplus(neg_s - pos_s).mean()
        reg = (u.pow(2).sum() + p.pow(2).sum() + q.pow(2).sum() / negatives) / (2 * idx.numel())
        opt.zero_grad(set_to_none=True)
        (loss + emb_reg * reg).backward()
        opt.step()
    return time.perf_counter() - t0


class PygLightGCN(nn.Module):
    """PyG's ``LightGCN`` as Cartograph wrapped it before (edge list, per-step normalisation)."""

    def __init__(self, users: int, items: int, dim: int, layers: int) -> None:
        from torch_geometric.nn.models import LightGCN

        super().__init__()
        self.users = users
        self.lightgcn = LightGCN(users + items, dim, layers)
        nn.init.normal_(self.lightgcn.embedding.weight, std=0.1)

    def forward(self, graph: HeteroData) -> tuple[Tensor, Tensor]:
        u, i = graph[EDGE].edge_index
        i = i + self.users
        emb = self.lightgcn.get_embedding(torch.stack([torch.cat([u, i]), torch.cat([i, u])]))
        return emb[: self.users], emb[self.users :]


def run(a: argparse.Namespace) -> dict[str, Any]:
    """Seconds per epoch of every contender, measured in alternation."""
    from gnn.models.lightgcn import UserItemLightGCN
    from gnn.train import TrainConfig, fit_bpr

    torch.manual_seed(a.seed)
    pairs = power_law_pairs(a.users, a.items, a.interactions, a.seed)
    graph = HeteroData()
    graph["User"].num_nodes, graph["Product"].num_nodes = a.users, a.items
    graph[EDGE].edge_index = pairs
    cfg = TrainConfig(batch_size=a.batch, negatives=a.negatives, lr=1e-3, emb_reg=1e-4)
    ours = UserItemLightGCN(a.users, a.items, EDGE, a.dim, a.layers)
    ref = ReferenceLightGCN(pairs, a.users, a.items, a.dim, a.layers)
    ref_opt = torch.optim.AdamW(ref.parameters(), lr=1e-3)
    pyg = PygLightGCN(a.users, a.items, a.dim, a.layers) if a.pyg else None
    gens = {k: torch.Generator().manual_seed(a.seed) for k in ("cartograph", "reference", "pyg")}
    times: dict[str, list[float]] = {k: [] for k in gens if k != "pyg" or pyg is not None}
    for _ in range(a.epochs):
        r = fit_bpr(ours, graph, pairs, a.items, cfg, gens["cartograph"], epochs=1)
        times["cartograph"].append(r.seconds_per_epoch)
        ref_args = (a.items, a.batch, a.negatives, gens["reference"], 1e-4)
        times["reference"].append(reference_epoch(ref, ref_opt, pairs, *ref_args))
        if pyg is not None:
            r = fit_bpr(pyg, graph, pairs, a.items, cfg, gens["pyg"], epochs=1)
            times["pyg"].append(r.seconds_per_epoch)
    return {"times": times, "steps_per_epoch": -(-pairs.shape[1] // a.batch)}


def table(result: dict[str, Any]) -> str:
    """Markdown: median seconds per epoch and the ratio to the reference."""
    med = {k: float(np.median(v)) for k, v in result["times"].items()}
    out = ["| implementation | s/epoch (median) | epochs | x reference |", "|---|---|---|---|"]
    for k, v in med.items():
        out.append(f"| {k} | {v:.3f} | {len(result['times'][k])} | {v / med[BASE]:.2f} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    from bench.common import Machine, command_line

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=20_000)
    p.add_argument("--items", type=int, default=20_000)
    p.add_argument("--interactions", type=int, default=300_000)
    p.add_argument("--batch", type=int, default=32_768)
    p.add_argument("--negatives", type=int, default=1)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--pyg", action="store_true", help="also time PyG's LightGCN (the old path)")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)  # on a shared, busy box 1 thread avoids spin contention
    result = run(a)
    print(f"command: {command_line()}")
    print(f"machine: {json.dumps(Machine.here().as_dict())}; torch threads "
          f"{torch.get_num_threads()}; cpu")  # fmt: skip
    steps = result["steps_per_epoch"]
    print(f"data: power-law pairs, {a.users} users, {a.items} items, {a.interactions} "
          f"interactions; batch {a.batch}, {a.negatives} negative(s), dim {a.dim}, "
          f"{a.layers} layers, {steps} steps/epoch; seed {a.seed}\n")  # fmt: skip
    print(table(result))


if __name__ == "__main__":
    main()
