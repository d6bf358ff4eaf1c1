"""Artefact → rows: what ``cartograph score`` writes and what the API serves, ranked one way.

**The ranking rule** (``rank``): descending score, ties broken by the lower item index (a stable
sort). ``top_k`` (batch scoring of every user) and ``api.recommender`` (one user per request)
both rank with it, so the CSV, the ``RECOMMENDED`` links in Neo4j and the HTTP answer agree on
the order even when two products score the same. Items masked to ``-inf`` (already bought)
sort last and are dropped from the rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from cartograph.private import create_private
from gnn.artefacts import Artefact, ArtefactError
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
    n_users, n_items = user_emb.shape[0], item_emb.shape[0]
    k = min(k, n_items)
    scores_out = torch.empty((n_users, k))
    items_out = torch.empty((n_users, k), dtype=torch.long)
    for start in range(0, n_users, batch):
        stop = min(start + batch, n_users)
        scores = user_emb[start:stop] @ item_emb.T
        rows = (history[0] >= start) & (history[0] < stop)
        scores[history[0, rows] - start, history[1, rows]] = -torch.inf
        scores_out[start:stop], items_out[start:stop] = rank(scores, k)
    return scores_out, items_out


def link_scores(art: Artefact, k: int) -> Iterator[ScoredLink]:
    """Top-``k`` targets per source from the stored embeddings, already-linked masked."""
    src_label, dst_label = art.manifest["source"], art.manifest["target"]
    scores, items = top_k(
        art.tensors["source_emb"], art.tensors["target_emb"], art.tensors["history"], k
    )
    src_keys, dst_keys = art.keys[src_label], art.keys[dst_label]
    for u in range(scores.shape[0]):
        for r in range(scores.shape[1]):
            s = float(scores[u, r])
            if s == float("-inf"):
                break
            yield ScoredLink(src_keys[u], dst_keys[int(items[u, r])], s, r + 1)


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
