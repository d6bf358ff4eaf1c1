"""Exported arrays → a ``HeteroData`` for recommendation: times, numeric features and tokens.

``gnn.data.to_hetero_data`` keeps only numeric properties; recommendation also needs event times
(to split honestly) and the product texts (to place never-bought products near similar ones). So
each node type gets, where its properties allow:

* ``time``: epoch seconds (float64, NaN when unknown) from ``created_at``;
* ``x``: float features, one column per numeric property (signed log, then standardised) plus
  vector properties such as a text ``embedding`` (L2-normalised rows, zeros where missing);
* ``tokens``: ``(N, L)`` token ids (0 = padding) from every string property, for an
  ``EmbeddingBag``. Tokens are ``property:word``; words seen on fewer than ``min_count`` nodes or
  on more than ``max_df`` of them carry no signal and are dropped.

Everything here is schema-driven: no label or property name is required to exist.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from datetime import datetime
from typing import Any

import numpy as np
import torch
from torch_geometric.data import HeteroData

from gnn.data import to_hetero_data
from graph.connection import Driver
from graph.reader import GraphArrays, export_graph

# What to export for recommendation. Missing labels or properties are simply absent.
RECOMMEND_NODE_PROPERTIES: dict[str, list[str]] = {
    "Order": ["created_at"],
    "Review": ["created_at", "rating"],
    "Ticket": ["created_at"],
    "User": ["platform"],
    "Product": [
        "embedding",
        "price",
        "title",
        "description",
        "platform",
        "brand_listed",
        "category_listed",
    ],
}
# Behavioural relationships enter a training graph only with a time; none carries one yet (the
# app events' timestamps are not mapped onto VIEWED / ADDED_TO_CART), so they are left out until
# the mapping writes ``created_at`` on them, and then used automatically.
RECOMMEND_EDGE_PROPERTIES: dict[str, list[str]] = {
    "VIEWED": ["created_at"],
    "ADDED_TO_CART": ["created_at"],
}
TIME_PROPERTY = "created_at"
_WORD = re.compile(r"[a-z0-9]+")


def to_epoch_seconds(values: np.ndarray) -> np.ndarray:
    """Epoch seconds as float64 from neo4j ``DateTime``, ``datetime``, ISO strings or numbers.

    The reader returns driver temporal objects as-is; converting here keeps the ``neo4j`` package
    out of ``gnn`` (its types are recognised by their ``to_native`` method)."""
    out = np.full(len(values), np.nan, dtype=np.float64)
    for i, v in enumerate(values):
        out[i] = _epoch(v)
    return out


def _epoch(v: Any) -> float:
    if v is None:
        return math.nan
    if hasattr(v, "to_native"):
        v = v.to_native()
    if isinstance(v, datetime):
        return v.timestamp()
    if isinstance(v, str):
        return datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
    return float(v)


def export_recommend_data(driver: Driver, database: str = "neo4j") -> HeteroData:
    """The whole graph with the properties recommendation uses, ready for ``train_and_evaluate``."""
    arrays = export_graph(
        driver,
        database,
        node_properties=RECOMMEND_NODE_PROPERTIES,
        edge_properties=RECOMMEND_EDGE_PROPERTIES,
    )
    return recommend_data(arrays)


def recommend_data(
    arrays: GraphArrays, min_count: int = 2, max_df: float = 0.5, max_tokens: int = 48
) -> HeteroData:
    """``to_hetero_data`` plus ``time``, recomputed ``x`` and ``tokens`` on each node type, and
    ``time`` on relationship types that carry ``created_at``."""
    # Labels without nodes keep no properties: ``to_hetero_data`` cannot reshape empty columns.
    with_nodes = {k: v for k, v in arrays.node_props.items() if arrays.node_keys.get(k)}
    data = to_hetero_data(dataclasses.replace(arrays, node_props=with_nodes))
    for et, props in arrays.edge_props.items():
        times = _times(props)
        if times is not None:
            data[et].time = times
    for label, props in with_nodes.items():
        store = data[label]
        if "x" in store:
            del store.x  # rebuilt below with scaling that suits a neural network
        n = len(arrays.node_keys[label])
        times = _times(props)
        if times is not None:
            store.time = times
        columns = (_numeric(v, n) for p, v in sorted(props.items()) if p != TIME_PROPERTY)
        dense = [c for c in columns if c is not None]
        if dense:
            store.x = torch.from_numpy(np.concatenate(dense, axis=1))
        texts = {p: v for p, v in props.items() if p != TIME_PROPERTY and _is_text(v)}
        if texts:
            tokens = tokenise(texts, n, min_count, max_df, max_tokens)
            if tokens.shape[1] > 0:
                store.tokens = tokens
    return data


def _times(props: dict[str, np.ndarray]) -> torch.Tensor | None:
    """Epoch seconds of ``created_at``; ``None`` when absent or never set (then untimed)."""
    if TIME_PROPERTY not in props:
        return None
    seconds = to_epoch_seconds(props[TIME_PROPERTY])
    return torch.from_numpy(seconds) if np.isfinite(seconds).any() else None


def _numeric(values: np.ndarray, n: int) -> np.ndarray | None:
    """Scalars: signed log then z-score; vectors (lists of floats): L2-normalised rows."""
    if values.dtype != object:
        col = values.reshape(n, -1).astype(np.float64)
        if col.shape[1] > 1:
            return _normalise_rows(col)
        col = np.sign(col) * np.log1p(np.abs(col))
        std = np.nanstd(col) if np.isfinite(col).any() else 0.0
        if not std > 0:
            return None  # constant or missing everywhere: no information
        return np.nan_to_num((col - np.nanmean(col)) / std).astype(np.float32)
    vectors = [v for v in values if isinstance(v, list | tuple | np.ndarray) and len(v) > 0]
    if not vectors:
        return None
    dim = len(vectors[0])
    out = np.zeros((n, dim), dtype=np.float64)
    for i, v in enumerate(values):
        if isinstance(v, list | tuple | np.ndarray) and len(v) == dim:
            out[i] = np.asarray(v, dtype=np.float64)
    return _normalise_rows(out)


def _normalise_rows(m: np.ndarray) -> np.ndarray:
    m = np.nan_to_num(m)
    norm = np.linalg.norm(m, axis=1, keepdims=True)
    return (m / np.where(norm > 0, norm, 1.0)).astype(np.float32)


def _is_text(values: np.ndarray) -> bool:
    return values.dtype == object and any(isinstance(v, str) for v in values)


def tokenise(
    texts: dict[str, np.ndarray],
    n: int,
    min_count: int = 2,
    max_df: float = 0.5,
    max_tokens: int = 48,
) -> torch.Tensor:
    """``(n, L)`` int64 token ids, 1-based (0 pads), vocabulary in sorted order (deterministic).

    A node with more than ``max_tokens`` known words keeps its rarest ones: they say the most."""
    bags = [_words(texts, i) for i in range(n)]
    df = Counter(t for bag in bags for t in bag)
    top = max(min_count, int(max_df * n))
    vocab = sorted(t for t, c in df.items() if min_count <= c <= top)
    ids = {t: i + 1 for i, t in enumerate(vocab)}
    rows = [
        [ids[t] for t in sorted((t for t in bag if t in ids), key=lambda t: (df[t], t))]
        for bag in bags
    ]
    rows = [r[:max_tokens] for r in rows]
    width = max((len(r) for r in rows), default=0)
    out = torch.zeros((n, width), dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, : len(r)] = torch.tensor(r, dtype=torch.long)
    return out


def _words(texts: dict[str, np.ndarray], i: int) -> set[str]:
    words: set[str] = set()
    for prop, values in texts.items():
        v = values[i]
        if isinstance(v, str):
            words.update(f"{prop}:{w}" for w in _WORD.findall(v.lower()))
    return words
