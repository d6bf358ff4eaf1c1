"""Artefact → rows: what ``cartograph score`` writes and what the API serves, ranked one way.

**The ranking rule** (``rank``): descending score, ties broken by the lower item index (a stable
sort). ``ranked_top_k`` (batch scoring of every user, embeddings or a filter, ``gnn.served``)
and ``api.recommender`` (one user per request) both rank with it, so the CSV, the
``RECOMMENDED`` links in Neo4j and the HTTP answer agree on the order even when two products
score the same. Items masked to ``-inf`` (already bought) sort last and are dropped from the rows.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from cartograph.private import create_private
from gnn.artefacts import Artefact, ArtefactError
from gnn.metrics import stable_topk
from gnn.served import served_model
from graph.scores import ScoredLink


def rank(scores: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """Top-``k`` ``(scores, indices)`` along the last dimension by the ranking rule above."""
    k = min(k, scores.shape[-1])
    values, order = torch.sort(scores, dim=-1, descending=True, stable=True)
    return values[..., :k], order[..., :k]


def top_k(
    user_emb: Tensor, item_emb: Tensor, history: Tensor, k: int, batch: int = 1024
) -> tuple[Tensor, Tensor]:
    """Top-``k`` (scores, items) per user over the full catalogue, bought items masked."""
    return ranked_top_k(
        lambda users: user_emb[users] @ item_emb.T,
        user_emb.shape[0], item_emb.shape[0], history, k, batch,
    )  # fmt: skip


def ranked_top_k(
    score_block: Callable[[Tensor], Tensor],
    n_users: int,
    n_items: int,
    history: Tensor,
    k: int,
    batch: int = 1024,
) -> tuple[Tensor, Tensor]:
    """Top-``k`` ``(scores, items)`` of every user, ``batch`` users at a time: each block's
    ``(batch, items)`` scores from ``score_block``, its history masked to ``-inf``, then only
    the top ``k`` found (``gnn.metrics.stable_topk``, the ranking rule without a full sort).
    The history is sorted by user once, so masking a block costs its own purchases only."""
    k = min(k, n_items)
    scores_out = torch.empty((n_users, k))
    items_out = torch.empty((n_users, k), dtype=torch.long)
    order = torch.argsort(history[0], stable=True)
    h_users, h_items = history[0, order], history[1, order]
    for start in range(0, n_users, batch):
        stop = min(start + batch, n_users)
        scores = score_block(torch.arange(start, stop)).float()
        lo, hi = torch.searchsorted(h_users, torch.tensor([start, stop])).tolist()
        scores[h_users[lo:hi] - start, h_items[lo:hi]] = -torch.inf
        idx = stable_topk(scores, k)
        scores_out[start:stop], items_out[start:stop] = scores.gather(1, idx), idx
    return scores_out, items_out


def link_scores(art: Artefact, k: int) -> Iterator[ScoredLink]:
    """Top-``k`` targets per source from the served model (embeddings or a training-free
    filter, ``gnn.served``), already-linked masked."""
    src_label, dst_label = art.manifest["source"], art.manifest["target"]
    model = served_model(art)
    scores, items = ranked_top_k(
        model.block_scores, model.num_users, model.num_items, art.tensors["history"], k,
        model.batch,
    )  # fmt: skip
    src_keys, dst_keys = art.keys[src_label], art.keys[dst_label]
    finite = torch.isfinite(scores)
    score_rows, item_rows = scores.tolist(), items.tolist()
    for u, (row_s, row_i) in enumerate(zip(score_rows, item_rows, strict=True)):
        n = int(finite[u].sum())  # masked (-inf) items sort last: the rest are dropped
        key = src_keys[u]
        for r in range(n):
            yield ScoredLink(key, dst_keys[row_i[r]], row_s[r], r + 1)


def node_scores(art: Artefact) -> list[tuple[str, float]]:
    """(key, score) for every scored node stored in the artefact."""
    label = art.manifest["label"]
    scores = art.tensors["scores"].tolist()
    return list(zip(art.keys[label], scores, strict=True))


def pair_links(art: Artefact) -> Iterator[ScoredLink]:
    """Scored account pairs stored by the fraud task (``pair_index``, ``pair_score``)."""
    label = art.manifest["pair_label"]
    keys = art.keys[label]
    idx, sc = art.tensors["pair_index"], art.tensors["pair_score"]
    for j in range(idx.shape[1]):
        yield ScoredLink(keys[int(idx[0, j])], keys[int(idx[1, j])], float(sc[j]), j + 1)


def write_csv(path: Path, header: list[str], rows: Iterable[Any]) -> None:
    """Write to a temporary file and rename, so a failed write leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(create_private(tmp), "w", newline="") as f:  # 0600: scores name customers
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ArtefactError(f"cannot write scores to {path}: {exc}", code="E527") from exc
