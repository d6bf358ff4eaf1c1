"""Normalised sparse adjacencies built once per training graph, for weight-free propagation.

LightGCN-style models propagate with fixed weights: the symmetric normalisation depends only on
the graph, not on the parameters. PyG's ``LGConv`` recomputes it and scatters over the edge list
at every step; here it is computed once per graph into a sparse CSR matrix, and each layer is
one ``torch.sparse.mm`` (a fused sparse-dense product whose backward is the transposed product).
On large interaction graphs that is most of a step's time (issue 12: 4.9x per step).

The cache is keyed by the edge-index tensor itself (a weak reference), so a new graph, or the
same graph moved to another device, gets its own matrix and a dropped graph frees it.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import torch
from torch import Tensor

T = TypeVar("T")
# id(edge_index) -> (a weak reference to it, its built matrices). Keyed by id because tensors
# compare elementwise (a WeakKeyDictionary would call ``==`` on them); a finaliser drops the
# entry when the tensor goes, so a reused id never sees another graph's matrices.
_CACHE: dict[int, tuple[weakref.ref[Tensor], dict[str, Any]]] = {}


def cached(edge_index: Tensor, key: str, build: Callable[[], T]) -> T:
    """``build()`` once per ``(edge_index, key)``; later calls return the same object."""
    slot = _CACHE.get(id(edge_index))
    if slot is None or slot[0]() is not edge_index:
        slot = (weakref.ref(edge_index), {})
        _CACHE[id(edge_index)] = slot
        weakref.finalize(edge_index, _CACHE.pop, id(edge_index), None)
    if key not in slot[1]:
        slot[1][key] = build()
    value: T = slot[1][key]
    return value


def sym_norm(edge_index: Tensor, n_src: int, n_dst: int) -> Tensor:
    """``1 / sqrt(deg_out(src) * deg_in(dst))`` per edge: LightGCN's normalisation."""
    src, dst = edge_index
    deg_s = torch.bincount(src, minlength=n_src).clamp(min=1).float()
    deg_d = torch.bincount(dst, minlength=n_dst).clamp(min=1).float()
    return (deg_s[src] * deg_d[dst]).rsqrt()


def sparse_matrix(rows: Tensor, cols: Tensor, values: Tensor, shape: tuple[int, int]) -> Tensor:
    """A CSR matrix (duplicates summed, as a scatter over the edge list would)."""
    with warnings.catch_warnings():  # "CSR support is in beta": the ops used here are stable
        warnings.simplefilter("ignore", UserWarning)
        coo = torch.sparse_coo_tensor(torch.stack([rows, cols]), values, shape).coalesce()
        return coo.to_sparse_csr()


def bipartite_adjacency(edge_index: Tensor, num_users: int, num_items: int) -> Tensor:
    """``D^-1/2 A D^-1/2`` of the user-item graph laid out as one ``(U+I) x (U+I)`` matrix
    (users first, items shifted by ``num_users``, both directions): LightGCN's propagation."""
    u, i = edge_index
    i = i + num_users
    rows, cols = torch.cat([u, i]), torch.cat([i, u])
    n = num_users + num_items
    deg = torch.bincount(rows, minlength=n).clamp(min=1).float().rsqrt()
    return sparse_matrix(rows, cols, deg[rows] * deg[cols], (n, n))


class _SparseMM(torch.autograd.Function):
    """``adj @ x`` whose backward is ``adj_t @ grad`` with a transpose built once: autograd's
    own backward of ``torch.sparse.mm`` transposes the CSR matrix at every step."""

    @staticmethod
    def forward(ctx: Any, adj: Tensor, adj_t: Tensor, x: Tensor) -> Tensor:
        ctx.adj_t = adj_t
        return torch.sparse.mm(adj, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[None, None, Tensor]:
        return None, None, torch.sparse.mm(ctx.adj_t, grad.contiguous())


def propagate(adj: Tensor, x: Tensor, adj_t: Tensor | None = None) -> Tensor:
    """``adj @ x`` in float32 whatever autocast says (sparse kernels have no bfloat16 path on
    every backend, and the sum over many neighbours is where low precision would hurt).
    ``adj_t`` is ``adj``'s transpose; ``None`` means ``adj`` is symmetric."""
    with torch.autocast(device_type=x.device.type, enabled=False):
        out: Tensor = _SparseMM.apply(adj, adj if adj_t is None else adj_t, x.float())
        return out
