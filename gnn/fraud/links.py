"""Account-link risk: which pairs of accounts are controlled by the same actor.

Candidates are account pairs that share an identifier (a card, device, IP or drop address used
on their orders; an email, phone or address on the accounts) or an entity-resolution ``SAME_AS``
link. Each pair gets three signals and their sum:

* ``adamic_adar``: sum over shared identifiers of ``1 / log(1 + accounts on it)`` (a device
  shared by two accounts says more than a carrier IP shared by forty);
* ``same_as``: the resolver's score (0 when not linked);
* ``embedding``: cosine of the accounts' mean order embeddings from the fraud GNN.

Truth (evaluation only, optional): a pair is positive when both accounts have the same
``actor_id`` in ``fraud_accounts.csv`` (rings, stolen-card and promo crews) or the same
``person_id`` in ``accounts.csv`` (one person's accounts across platforms) — "controlled by the
same actor" covers both. The score is unsupervised, so every candidate pair is evaluated.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch_geometric.data import HeteroData

from gnn.classify import FitResult
from gnn.classify_metrics import binary_metrics
from gnn.classify_views import View

MAX_SHARED = 50  # identifiers on more accounts than this are infrastructure, not a link


def candidate_pairs(
    data: HeteroData, user: str = "User", event: str = "Order"
) -> dict[tuple[int, int], float]:
    """``(u, v)`` with ``u < v`` → Adamic-Adar over the identifiers they share."""
    holders: dict[tuple[str, int], set[int]] = defaultdict(set)
    placer = _placer(data, user, event)
    for et in data.edge_types:
        src, _, dst = et
        ei = data[et].edge_index
        if src == event and dst not in ("Product", user) and placer is not None:
            for o, ident in ei.t().tolist():
                if placer[o] >= 0:
                    holders[(dst, ident)].add(int(placer[o]))
        elif src == user and dst not in ("Product", user, event, "Review", "Ticket"):
            for u, ident in ei.t().tolist():
                holders[(dst, ident)].add(u)
    pairs: dict[tuple[int, int], float] = defaultdict(float)
    for users in holders.values():
        if 2 <= len(users) <= MAX_SHARED:
            w = 1.0 / math.log(1 + len(users))
            members = sorted(users)
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    pairs[(a, b)] += w
    return pairs


def _placer(data: HeteroData, user: str, event: str) -> np.ndarray | None:
    et = (user, "PLACED", event)
    if et not in data.edge_types:
        return None
    out = np.full(int(data[event].num_nodes), -1, dtype=np.int64)
    ei = data[et].edge_index.numpy()
    out[ei[1]] = ei[0]
    return out


def user_embeddings(
    data: HeteroData, gnn: FitResult, view: View, device: torch.device, user: str = "User"
) -> torch.Tensor:
    """Mean GNN hidden state of each account's orders (zeros for accounts without orders)."""
    gnn.model.eval()
    v = view.to(device)
    with torch.no_grad():
        h = gnn.model.embed(v.x, v.edges)[view.target].float().cpu()
    placer = _placer(data, user, view.target)
    n_users = int(data[user].num_nodes)
    out = torch.zeros((n_users, h.shape[1]))
    if placer is None:
        return out
    has = torch.from_numpy(placer >= 0)
    idx = torch.from_numpy(placer)[has]
    out.index_add_(0, idx, h[has])
    counts = torch.bincount(idx, minlength=n_users).clamp_min(1).unsqueeze(1)
    return torch.nn.functional.normalize(out / counts, dim=1)


def account_links(
    data: HeteroData,
    gnn: FitResult,
    view: View,
    device: torch.device,
    truth_dir: Path | None = None,
    user: str = "User",
    top: int = 20,
) -> dict[str, Any]:
    """Scored candidate pairs, metrics against truth when given, and the top pairs."""
    aa = candidate_pairs(data, user, view.target)
    same_as = _same_as(data, user)
    keys = list(set(aa) | set(same_as))
    keys.sort()
    if not keys:
        return {"candidates": 0}
    emb = user_embeddings(data, gnn, view, device, user)
    a = torch.tensor([k[0] for k in keys])
    b = torch.tensor([k[1] for k in keys])
    signals = {
        "adamic_adar": np.array([aa.get(k, 0.0) for k in keys]),
        "same_as": np.array([same_as.get(k, 0.0) for k in keys]),
        "embedding": (emb[a] * emb[b]).sum(1).clamp_min(0).numpy().astype(np.float64),
    }
    combined = signals["adamic_adar"] + signals["same_as"] + signals["embedding"]
    node_key = data[user].node_key
    order = np.argsort(-combined, kind="stable")
    out: dict[str, Any] = {
        "truth": "same actor_id (fraud_accounts.csv) or same person_id (accounts.csv)",
        "candidates": len(keys),
        "pairs": {
            "source_key": [node_key[keys[i][0]] for i in order],
            "target_key": [node_key[keys[i][1]] for i in order],
            "score": [round(float(combined[i]), 4) for i in order],
        },
        "top": [
            {
                "a": node_key[keys[i][0]],
                "b": node_key[keys[i][1]],
                "score": round(float(combined[i]), 4),
            }
            for i in order[:top]
        ],
    }
    truth = _truth_pairs(truth_dir, node_key) if truth_dir is not None else None
    if truth is not None:
        y = np.array([float(k in truth) for k in keys])
        out["metrics"] = {
            name: binary_metrics(y, s) for name, s in {**signals, "combined": combined}.items()
        }
        out["truth_pairs"] = len(truth)
        out["candidate_recall"] = round(float(y.sum()) / max(len(truth), 1), 4)
    return out


def _same_as(data: HeteroData, user: str) -> dict[tuple[int, int], float]:
    et = (user, "SAME_AS", user)
    if et not in data.edge_types:
        return {}
    ei = data[et].edge_index.t().tolist()
    score = data[et].score.tolist() if "score" in data[et] else [1.0] * len(ei)
    out: dict[tuple[int, int], float] = {}
    for (u, v), s in zip(ei, score, strict=True):
        if u != v:
            k = (min(u, v), max(u, v))
            out[k] = max(out.get(k, 0.0), float(np.nan_to_num(s, nan=1.0)))
    return out


def _truth_pairs(truth_dir: Path, node_key: list[str]) -> set[tuple[int, int]] | None:
    """Account-index pairs controlled by one actor, from the generator's truth files."""
    index = {k: i for i, k in enumerate(node_key)}
    groups: dict[str, list[int]] = defaultdict(list)
    for name, column in (("fraud_accounts.csv", "actor_id"), ("accounts.csv", "person_id")):
        path = truth_dir / name
        if not path.exists():
            continue
        with path.open(newline="") as fh:
            for row in csv.DictReader(fh):
                i = index.get(f"{row['platform']}:{row['account_id']}")
                if i is not None:
                    groups[f"{column}:{row[column]}"].append(i)
    if not groups:
        return None
    pairs = set()
    for members in groups.values():
        members = sorted(set(members))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add((a, b))
    return pairs
