"""Top-k cosine neighbours, exactly for small candidate sets and through an HNSW graph above.

Why an index: product blocking searches each brand's listings against that brand's listings
(and the brandless ones). With the catalogue's brands fixed, a block grows with the catalogue,
so the exact search is still quadratic: 8 % of n^2 dot products at every scale
(``bench/extraction.py``). faiss's ``IndexHNSWFlat`` (inner product on L2-normalised vectors,
i.e. cosine) answers each query with a number of distance computations that grows with the
logarithm of the block, not its size.

Why exact below ``exact_below`` columns: a brute-force block is one BLAS matrix product, and
per distance it is ~15x cheaper than a graph search (build included). ``bench/extraction.py``
measured it on one thread: at 296,784 listings (41 brand blocks, the largest 29,061 columns)
the graph everywhere made 12.6x fewer distance computations per listing (1,251 vs 15,742) and
was still 1.19x slower (159 s vs 133 s); at 74,196 listings 3.4x fewer and 3.4x slower. So
the graph pays only where a block's exact cost per listing passes ~15x the graph's
(~1,250): blocks of about 20,000 columns, i.e. catalogues near a million listings with the
generator's brands. Below that the search stays exact (every generated scale up to
``large``), above it the graph's cost grows with the log of the block while the exact one
grows with the block.

Determinism: faiss draws each inserted vector's graph level from ``hnsw.rng``, which is seeded
here (``seed``), vectors are added in the caller's order, and faiss's OpenMP pool is pinned to
``threads`` (one by default, like the BLAS pools in ``extraction.nlp.threads``): a
multi-threaded ``add`` links vectors in a scheduling-dependent order. Two runs on the same
input return the same neighbours.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from extraction.nlp.threads import DEFAULT_THREADS


@dataclass(frozen=True)
class AnnParams:
    """HNSW settings; recall against exact search is asserted in ``tests/unit/extraction``."""

    exact_below: int = 20_000  # fewer queries or candidate columns than this: brute force
    m: int = 16  # graph degree (links per vector per level; level 0 has 2 m)
    ef_construction: int = 40  # candidate list while inserting
    ef_search: int = 64  # candidate list while querying (raised to k + 1 if below)
    seed: int = 7  # graph levels of inserted vectors
    threads: int = DEFAULT_THREADS


@dataclass
class SearchStats:
    """What one search did, for the benchmark: exact dot products and HNSW distances."""

    exact_products: int = 0
    exact_blocks: int = 0
    ann_distances: int = 0  # query-time distance computations (faiss ``hnsw_stats.ndis``)
    ann_indexed: int = 0  # vectors inserted into a graph (build work, not counted in distances)
    ann_blocks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@contextmanager
def faiss_threads(threads: int) -> Iterator[None]:
    """Pin faiss's OpenMP pool to ``threads`` inside the block (process-wide, so restored)."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def top_k(
    vectors: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    k: int,
    params: AnnParams | None,
    stats: SearchStats | None = None,
    chunk: int = 1024,
) -> Iterator[tuple[int, list[int]]]:
    """(row, its up-to-``k`` most cosine-similar ``cols``, itself excluded), row by row.

    ``vectors`` are L2-normalised float32 rows; ``rows`` and ``cols`` index into them.
    ``params`` None means exact search whatever the size. The graph is used only when both
    sides reach ``exact_below``: its build costs every column, so a few queries against a
    large set (the brandless listings against every listing) are cheaper exactly.
    """
    kk = min(k, len(cols) - 1)
    if kk <= 0:
        return
    if params is None or min(len(rows), len(cols)) < params.exact_below:
        yield from _exact(vectors, rows, cols, kk, chunk, stats)
    else:
        yield from _hnsw(vectors, rows, cols, kk, params, stats)


def _exact(
    vectors: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    kk: int,
    chunk: int,
    stats: SearchStats | None,
) -> Iterator[tuple[int, list[int]]]:
    """Brute force a chunk of rows at a time (no rows x cols matrix in memory)."""
    target = vectors[cols]
    if stats is not None:
        stats.exact_products += len(rows) * len(cols)
        stats.exact_blocks += 1
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        sims = vectors[part] @ target.T
        sims[part[:, None] == cols[None, :]] = -np.inf
        top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        for i, row in zip(part.tolist(), cols[top].tolist(), strict=True):
            yield i, [j for j in row if j != i]


def _hnsw(
    vectors: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    kk: int,
    params: AnnParams,
    stats: SearchStats | None,
) -> Iterator[tuple[int, list[int]]]:
    """Build a graph over ``cols``, query ``rows`` for kk + 1 (a row finds itself first)."""
    import faiss

    lib: Any = faiss  # its type stubs lack RandomGenerator, HNSW.rng and cvar.hnsw_stats
    with faiss_threads(params.threads):
        index = faiss.IndexHNSWFlat(vectors.shape[1], params.m, faiss.METRIC_INNER_PRODUCT)
        hnsw: Any = index.hnsw
        hnsw.rng = lib.RandomGenerator(params.seed)
        index.hnsw.efConstruction = params.ef_construction
        index.hnsw.efSearch = max(params.ef_search, kk + 1)
        index.add(np.ascontiguousarray(vectors[cols], dtype=np.float32))
        lib.cvar.hnsw_stats.reset()
        _, found = index.search(np.ascontiguousarray(vectors[rows], dtype=np.float32), kk + 1)
        if stats is not None:
            stats.ann_distances += int(lib.cvar.hnsw_stats.ndis)
            stats.ann_indexed += len(cols)
            stats.ann_blocks += 1
    for i, labels in zip(rows.tolist(), found.tolist(), strict=True):
        near = [j for j in (int(cols[x]) for x in labels if x >= 0) if j != i]
        yield i, near[:kk]
