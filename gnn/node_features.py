"""Graph features for tree models on any node-classification view, label-aware and leak-proof.

GADBench (Tang et al., NeurIPS 2023) found gradient-boosted trees over neighbourhood
aggregates beating most GNNs on fraud graphs; this is that feature set, schema-driven. Per
relationship type into the target (each relationship once, whatever its direction):

* ``degree``; mean and max of the neighbours' own features (1 hop);
* for a shared entity (target → card → target): how many other target nodes share it (sum and
  max over the node's entities), the mean of their features (2 hops), and label-aware counts;
* label-aware: known positives among neighbours and their share of the labelled neighbours,
  from the **training labels of the fold only** (``known``), the node's own label never counted
  (it would come back through target → entity → target), so a feature is computed the same way
  for a training node and an evaluation node;
* over all relationships together: PageRank and the size of the node's connected component
  (target nodes in it), which picks out rings.

Computed on the model's own ``View``: on a temporal task that is the causal view, so a node's
features only read older nodes and the labels known at the fold's cut.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from torch import Tensor

from gnn.classify_views import View

MAX_MAX_COLUMNS = 64  # wider neighbour features keep only their mean


def node_graph_features(view: View, known_rows: Tensor, known_y: Tensor) -> dict[str, np.ndarray]:
    """Feature name → ``(num_target,)`` float64 (NaN where undefined; trees handle it)."""
    t = view.target
    n = int(view.num_nodes[t])
    y = np.zeros(n)
    k = np.zeros(n)
    rows = known_rows.numpy()
    k[rows] = 1.0
    y[rows] = known_y.double().numpy()
    x_t = view.x[t].double().numpy() if t in view.x else np.zeros((n, 0))
    out: dict[str, np.ndarray] = {}
    for et, ei_t in sorted(view.edges.items()):
        if et[2] != t or ei_t.numel() == 0:
            continue
        src, rel = et[0], et[1]
        ei = ei_t.numpy()
        m = int(view.num_nodes.get(src, int(ei[0].max()) + 1))
        a = sp.csr_matrix((np.ones(ei.shape[1]), (ei[1], ei[0])), shape=(n, m))  # target x src
        a.sum_duplicates()
        a.data[:] = 1.0
        deg = np.asarray(a.sum(1)).ravel()
        out[f"{rel}:degree"] = deg
        x_s = view.x[src].double().numpy() if src in view.x else None
        if x_s is not None and x_s.shape[1]:
            _neighbour_stats(out, f"{rel}:nbr", a, deg, x_s)
        if src == t:
            _label_counts(out, f"{rel}:nbr", a @ y, a @ k)
        else:
            _shared_entity(out, rel, a, deg, x_t, y, k)
    out.update(_global(view, n))
    return out


def _neighbour_stats(
    out: dict[str, np.ndarray], prefix: str, a: sp.csr_matrix, deg: np.ndarray, x: np.ndarray
) -> None:
    safe = np.where(deg > 0, deg, np.nan)[:, None]
    mean = (a @ np.nan_to_num(x)) / safe
    for j in range(x.shape[1]):
        out[f"{prefix}_mean_{j}"] = mean[:, j]
    if x.shape[1] > MAX_MAX_COLUMNS:
        return
    has = deg > 0
    for j in range(x.shape[1]):
        # shifted to >= 1 so the sparse max over stored entries is the neighbours' max
        v = np.nan_to_num(x[:, j])
        low = float(v.min()) if v.size else 0.0
        col = a.multiply((v - low + 1.0)[None, :]).tocsr()
        mx = np.full(a.shape[0], np.nan)
        if col.nnz:
            mx[has] = col.max(axis=1).toarray().ravel()[has] + low - 1.0
        out[f"{prefix}_max_{j}"] = mx


def _label_counts(
    out: dict[str, np.ndarray], prefix: str, positives: np.ndarray, labelled: np.ndarray
) -> None:
    out[f"{prefix}_known_pos"] = positives
    out[f"{prefix}_pos_share"] = np.where(labelled > 0, positives / np.maximum(labelled, 1), np.nan)


def _shared_entity(
    out: dict[str, np.ndarray],
    rel: str,
    a: sp.csr_matrix,
    deg: np.ndarray,
    x_t: np.ndarray,
    y: np.ndarray,
    k: np.ndarray,
) -> None:
    """Target → entity → target paths, the node's own return path removed."""
    ent_deg = np.asarray(a.sum(0)).ravel()  # target nodes per entity
    others = a.multiply((ent_deg - 1)[None, :]).tocsr()
    out[f"{rel}:shared_sum"] = np.asarray(others.sum(1)).ravel()
    out[f"{rel}:shared_max"] = np.where(deg > 0, others.max(axis=1).toarray().ravel(), np.nan)
    paths = a @ (a.T @ np.ones(a.shape[0])) - deg  # 2-hop paths to other target nodes
    _label_counts(out, f"{rel}:2hop", a @ (a.T @ y) - deg * y, a @ (a.T @ k) - deg * k)
    if x_t.shape[1]:
        xt = np.nan_to_num(x_t)
        total = a @ (a.T @ xt) - deg[:, None] * xt
        mean = total / np.where(paths > 0, paths, np.nan)[:, None]
        for j in range(xt.shape[1]):
            out[f"{rel}:2hop_mean_{j}"] = mean[:, j]


def _global(view: View, n: int) -> dict[str, np.ndarray]:
    """PageRank and component size over every relationship at once (one homogeneous graph)."""
    offsets, total = {}, 0
    for node_type in sorted(view.num_nodes):
        offsets[node_type] = total
        total += int(view.num_nodes[node_type])
    rows, cols = [], []
    for (s, _, d), ei_t in view.edges.items():
        ei = ei_t.numpy()
        rows.append(ei[0] + offsets[s])
        cols.append(ei[1] + offsets[d])
    t0 = offsets[view.target]
    if not rows:
        return {"pagerank": np.full(n, 1.0 / max(n, 1)), "component_size": np.ones(n)}
    r, c = np.concatenate(rows), np.concatenate(cols)
    adj = sp.csr_matrix((np.ones(r.size), (r, c)), shape=(total, total))
    sym = ((adj + adj.T) > 0).astype(np.float64)
    _, comp = connected_components(sym, directed=False)
    is_t = np.zeros(total)
    is_t[t0 : t0 + n] = 1.0
    comp_targets = np.bincount(comp, weights=is_t)
    return {
        "pagerank": _pagerank(sym)[t0 : t0 + n] * total,
        "component_size": comp_targets[comp[t0 : t0 + n]],
    }


def _pagerank(sym: sp.csr_matrix, damping: float = 0.85, iters: int = 30) -> np.ndarray:
    deg = np.asarray(sym.sum(1)).ravel()
    inv = np.where(deg > 0, 1.0 / np.maximum(deg, 1), 0.0)
    n = sym.shape[0]
    p = np.full(n, 1.0 / n)
    for _ in range(iters):
        spread = sym.T @ (p * inv)
        dangling = p[deg == 0].sum()
        p = (1 - damping) / n + damping * (spread + dangling / n)
    return np.asarray(p)
