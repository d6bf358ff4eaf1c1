"""The HNSW neighbour search against the exact one: recall, same matches, same output twice.

Recall is measured on what blocking needs: of each row's exact top-k neighbours whose cosine
is at least ``MIN_COS`` (pairs below it score too low to be matched), the share the HNSW
search also returns. Asserted: at least ``MIN_RECALL`` = 0.99, on clustered random vectors and
on the generated small catalogue's real title vectors with the graph forced on every block
(``exact_below=0``; by default small's blocks are all under the threshold and searched
exactly). The generated-data tests embed ~1,200 titles with the sentence model (~20-40 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.rejects import RejectsWriter
from extraction.resolve import ProductConfig, resolve_products
from extraction.resolve.ann import AnnParams, SearchStats, top_k
from extraction.resolve.listings import Listing, prepare
from extraction.resolve.products import candidate_pairs, nearest_within_brands
from extraction.resolve.scoring import evaluate, product_clusters
from extraction.transform import extract, merge_duplicates
from testbeds.marketplace import generate

MAPPING = Path(__file__).resolve().parents[3] / "extraction" / "mappings" / "marketplace.yaml"
MIN_COS = 0.7
MIN_RECALL = 0.99
FORCED = AnnParams(exact_below=0)  # the graph on every block, however small


def _clustered(n: int, d: int, seed: int) -> np.ndarray:
    """Unit vectors around n / 20 random centres (within-cluster cosine ~0.7-0.9)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n // 20, d))
    x = centres[rng.integers(0, len(centres), n)] + 0.5 * rng.standard_normal((n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def _recall(vectors: np.ndarray, exact: dict[int, list[int]], ann: dict[int, list[int]]) -> float:
    """Share of exact neighbours at cosine >= MIN_COS that the ANN list also holds (a tie at
    the k-th place counts as found when the ANN list's own k-th is as close)."""
    wanted = found = 0
    for i, near in exact.items():
        got = set(ann[i])
        floor = min((float(vectors[i] @ vectors[j]) for j in ann[i]), default=np.inf)
        for j in near:
            cos = float(vectors[i] @ vectors[j])
            if cos >= MIN_COS:
                wanted += 1
                found += j in got or (len(got) == len(near) and cos <= floor + 1e-6)
    assert wanted > 0
    return found / wanted


def test_hnsw_recovers_the_exact_neighbours_of_clustered_random_vectors() -> None:
    vectors = _clustered(4000, 64, seed=3)
    rows = cols = np.arange(len(vectors))
    exact = dict(top_k(vectors, rows, cols, 30, None))
    stats = SearchStats()
    params = AnnParams(exact_below=4000)
    ann = dict(top_k(vectors, rows, cols, 30, params, stats))
    assert stats.ann_blocks == 1 and stats.exact_products == 0  # 4,000 >= exact_below: graph
    assert stats.ann_distances < len(vectors) ** 2 / 2  # fewer than an exact search computes
    assert _recall(vectors, exact, ann) >= MIN_RECALL
    assert dict(top_k(vectors, rows, cols, 30, params)) == ann  # deterministic


def test_small_blocks_are_searched_exactly() -> None:
    vectors = _clustered(200, 16, seed=4)
    idx = np.arange(200)
    stats = SearchStats()
    got = dict(top_k(vectors, idx, idx, 5, AnnParams(exact_below=201), stats))
    assert stats.exact_blocks == 1 and stats.ann_blocks == 0
    assert got == dict(top_k(vectors, idx, idx, 5, None))


def test_few_queries_against_many_columns_are_searched_exactly() -> None:
    """The brandless listings are searched against every listing: a graph over every column
    for a handful of queries costs more than the queries' exact products."""
    vectors = _clustered(300, 16, seed=6)
    rows, cols = np.arange(5), np.arange(300)
    stats = SearchStats()
    got = dict(top_k(vectors, rows, cols, 5, AnnParams(exact_below=100), stats))
    assert stats.exact_blocks == 1 and stats.ann_blocks == 0
    assert got == dict(top_k(vectors, rows, cols, 5, None))


def test_hnsw_never_returns_the_row_itself_or_more_than_k() -> None:
    vectors = _clustered(300, 16, seed=5)
    vectors[1] = vectors[0]  # an exact duplicate may come back before the row itself
    idx = np.arange(300)
    for i, near in top_k(vectors, idx, idx, 7, FORCED):
        assert i not in near and len(near) == 7 and len(set(near)) == 7


class _Cached:
    """The sentence model's vectors, looked up by text (one encoding for every run)."""

    def __init__(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        self.by_text = dict(zip(texts, vectors, strict=True))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.by_text[t] for t in texts])


@pytest.fixture(scope="module")
def catalogue(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, Any], list[Listing], _Cached]:
    from extraction.nlp.embed import shared_embedder

    root = tmp_path_factory.mktemp("ann")
    generate("small", 8, root / "small")
    with RejectsWriter(root / "rejects.csv") as rejects:
        out = extract(load_mapping(MAPPING, root / "small"), Pseudonymiser(b"x" * 32), rejects)
    products = {n.key: dict(n.props) for n in merge_duplicates(out.nodes) if n.label == "Product"}
    listings = prepare(products)
    titles = sorted({item.title for item in listings})
    return root / "small", products, listings, _Cached(titles, shared_embedder().encode(titles))


@pytest.mark.slow
def test_hnsw_recovers_the_exact_neighbours_of_real_title_vectors(catalogue: Any) -> None:
    _, _, listings, enc = catalogue
    vectors = enc.encode([item.title for item in listings])
    idx = np.arange(len(listings))
    exact = dict(top_k(vectors, idx, idx, 30, None))
    ann = dict(top_k(vectors, idx, idx, 30, FORCED))
    assert _recall(vectors, exact, ann) >= MIN_RECALL
    exact_pairs = nearest_within_brands(listings, vectors, 30, None)
    ann_pairs = nearest_within_brands(listings, vectors, 30, FORCED)
    near_exact = {p for p in exact_pairs if float(vectors[p[0]] @ vectors[p[1]]) >= MIN_COS}
    assert len(near_exact & ann_pairs) >= MIN_RECALL * len(near_exact)
    assert candidate_pairs(listings, vectors, 30, ann=FORCED) == candidate_pairs(
        listings, vectors, 30, ann=FORCED
    )


@pytest.mark.slow
def test_resolution_through_the_graph_matches_the_exact_path(catalogue: Any) -> None:
    """Same clusters within F1 0.005 of the exact path (measured: identical, see the report),
    twice the same output."""
    directory, products, _, enc = catalogue
    exact = resolve_products(products, embedder=enc, config=ProductConfig(ann=None))
    forced = resolve_products(products, embedder=enc, config=ProductConfig(ann=FORCED))
    default = resolve_products(products, embedder=enc)
    truth = product_clusters(directory)
    f1 = {
        name: evaluate(m, truth)["closure"]["f1"]
        for name, m in (("exact", exact), ("forced", forced))
    }
    assert abs(f1["forced"] - f1["exact"]) <= 0.005, f1
    assert f1["forced"] >= 0.88, f1
    assert default == exact  # small's brand blocks are all under exact_below
    assert resolve_products(products, embedder=enc, config=ProductConfig(ann=FORCED)) == forced
