"""Listings of one canonical product across (and within) platforms.

1. *Blocking*: each listing's title is embedded once; its ``k`` nearest neighbours by cosine are
   candidates, and so are listings sharing a brand and a name word or model name (a crowded
   family of forty variants fills any top-k list).
2. *Vetoes*: a pair is dropped when both listings state a fact and disagree - brand, colour,
   capacity, size, wattage, model number or suffix, connector, material - or when prices in EUR
   are further apart than sellers' margins explain. Variants of one model differ exactly there.
3. *Score*: a logistic combination of embedding cosine, facts in common, the name words of one
   title missing from the other listing, and price closeness.
4. *Clustering* (``clusters``): pairs are accepted best-first into clusters that hold at most one
   listing of each platform in ``unique_platforms`` and no two clashing members; a listing whose
   two best web shop partners score almost alike is left unmatched rather than guessed.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any, Protocol

import numpy as np

from cartograph.errors import ConfigError
from extraction.resolve.ann import AnnParams, SearchStats, top_k
from extraction.resolve.attributes import agreements, conflicts
from extraction.resolve.clusters import cluster, drop_ambiguous
from extraction.resolve.listings import Listing, missing_name_words, prepare, price_gap
from extraction.resolve.match import Match
from extraction.resolve.product_config import ProductConfig, Scored

DEFAULT_PRODUCT_THRESHOLD = 0.4
DEFAULT_ANN = AnnParams()


class Encoder(Protocol):
    """What ``extraction.nlp.embed.Embedder`` offers: L2-normalised rows, one per text."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def resolve_products(
    products: Mapping[str, Mapping[str, Any]],
    threshold: float = DEFAULT_PRODUCT_THRESHOLD,
    embedder: Encoder | None = None,
    config: ProductConfig | None = None,
    extracted: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Match]:
    """SAME_AS matches between ``Product`` nodes, keyed by node key, props as in the graph.

    ``extracted`` (node key -> attribute name -> value, e.g. ``{"colour": "red"}``) is what
    text extraction settled for each record; two records that both state a value for one
    attribute and disagree are never matched (see ``veto``).
    """
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"product match threshold {threshold} must be in (0, 1]", code="E130")
    cfg = config or ProductConfig()
    listings = prepare(products, cfg.fx_to_eur, extracted)
    if len(listings) < 2:
        return []
    vectors = _embed(listings, embedder, cfg.embed_description)
    scored: list[Scored] = []
    for i, j, cos in candidate_pairs(listings, vectors, cfg.k, cfg.max_block, cfg.ann):
        score, method = score_pair(listings[i], listings[j], cos, cfg)
        if score >= threshold:
            scored.append((score, i, j, method))
    scored = drop_ambiguous(listings, scored, cfg)
    return cluster(listings, scored, lambda a, b: compatible(a, b, cfg), cfg.unique_platforms)


def _embed(listings: list[Listing], embedder: Encoder | None, description: bool) -> np.ndarray:
    """One vector per listing, computed once (the model is loaded on first use only)."""
    if embedder is None:
        from extraction.nlp.embed import shared_embedder

        embedder = shared_embedder()
    texts = [item.text if description else item.title for item in listings]
    return np.asarray(embedder.encode(texts), dtype=np.float32)


def candidate_pairs(
    listings: list[Listing],
    vectors: np.ndarray,
    k: int,
    max_block: int = 60,
    ann: AnnParams | None = DEFAULT_ANN,
    stats: SearchStats | None = None,
) -> list[tuple[int, int, float]]:
    """(i, j, cosine) with i < j: each listing's ``k`` nearest neighbours, plus listings that
    share a brand and a name word or model name (in blocks of at most ``max_block``).

    Neighbours alone miss pairs in crowded families (forty "Basique Classic Tee" variants fill
    every top-k list); the brand blocks alone miss listings whose brand is unreadable.
    ``ann`` None searches neighbours exactly (the reference the HNSW path is tested against).
    """
    pairs = nearest_within_brands(listings, vectors, k, ann, stats)
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(listings):
        for key in _block_keys(item):
            blocks[key].append(i)
    for members in blocks.values():
        if len(members) <= max_block:
            pairs.update(combinations(members, 2))
    return [(a, b, float(vectors[a] @ vectors[b])) for a, b in sorted(pairs)]


def nearest_within_brands(
    listings: list[Listing],
    vectors: np.ndarray,
    k: int,
    ann: AnnParams | None = DEFAULT_ANN,
    stats: SearchStats | None = None,
) -> set[tuple[int, int]]:
    """Top-k cosine neighbours of each listing among the listings that could be its product.

    Two listings with disjoint brands are vetoed whatever their cosine, so a listing with one
    known brand is searched against that brand's listings and the brandless ones only, and
    only a listing without a single known brand against everything. With brands fixed a brand
    block grows with the catalogue, so an exact search of it stays quadratic (8 % of n^2 at
    every scale); blocks of ``ann.exact_below`` queries and columns or more are searched
    through an HNSW graph instead (``extraction.resolve.ann``), whose work per listing grows
    with the log of the block (``bench/extraction.py`` reports both paths side by side).
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    open_rows: list[int] = []
    for i, item in enumerate(listings):
        if len(item.brands) == 1:
            blocks[next(iter(item.brands))].append(i)
        else:
            open_rows.append(i)
    everything = np.arange(len(listings))
    searches = [
        (np.asarray(members), np.asarray(members + open_rows)) for members in blocks.values()
    ]
    if open_rows:
        searches.append((np.asarray(open_rows), everything))
    pairs: set[tuple[int, int]] = set()
    start = time.perf_counter()
    for rows, cols in searches:
        for i, near in top_k(vectors, rows, cols, k, ann, stats):
            pairs.update((min(i, j), max(i, j)) for j in near)
    if stats is not None:
        stats.seconds["neighbours"] = stats.seconds.get("neighbours", 0.0) + (
            time.perf_counter() - start
        )
    return pairs


def nearest_comparisons(listings: list[Listing]) -> int:
    """How many vector products an exact ``nearest_within_brands`` computes (for the bench)."""
    sizes: dict[str, int] = defaultdict(int)
    open_rows = 0
    for item in listings:
        if len(item.brands) == 1:
            sizes[next(iter(item.brands))] += 1
        else:
            open_rows += 1
    return sum(n * (n + open_rows) for n in sizes.values()) + open_rows * len(listings)


def _block_keys(item: Listing) -> set[str]:
    words = item.name_words or frozenset()
    models = {" ".join(m) for m in item.facts.models}
    return {f"{brand}|{w}" for brand in item.brands for w in words | models}


def veto(a: Listing, b: Listing, cfg: ProductConfig) -> str:
    """Why two listings cannot be one product ("" when nothing they state disagrees)."""
    if a.platform == b.platform and a.platform in cfg.unique_platforms:
        return "same-platform"
    if a.brands and b.brands and not a.brands & b.brands:
        return "brand"
    clash = conflicts(a.facts, b.facts)
    if clash:
        return clash[0]
    stated = extracted_conflict(a, b)
    if stated:
        return stated
    gap = price_gap(a, b)
    if gap is not None and gap > max_gap_for(a, b, cfg):
        return "price"
    return ""


def extracted_conflict(a: Listing, b: Listing) -> str:
    """The first attribute both records' extracted facts state with different values ("" if
    none). A product has one colour, one size, one capacity, one category: two records that say
    otherwise are two products (variants of one model differ in exactly these), however alike
    their wording. What only one record states decides nothing."""
    for name in sorted(a.extracted.keys() & b.extracted.keys()):
        if a.extracted[name] != b.extracted[name]:
            return "extracted:" + name
    return ""


def compatible(a: Listing, b: Listing, cfg: ProductConfig) -> bool:
    """No veto between the two (used to keep whole clusters consistent, not just pairs)."""
    return not veto(a, b, cfg)


def score_pair(a: Listing, b: Listing, cos: float, cfg: ProductConfig) -> tuple[float, str]:
    """(score in [0, 1], method); score 0 with the veto's name as method when facts clash."""
    why = veto(a, b, cfg)
    if why:
        return 0.0, "veto:" + why
    gap = price_gap(a, b)
    max_gap = max_gap_for(a, b, cfg)
    agree = agreements(a.facts, b.facts) + bool(a.brands & b.brands)
    one_way, other_way = missing_name_words(a, b), missing_name_words(b, a)
    x = (
        cfg.bias
        + cfg.w_cos * (cos - 0.7)
        + cfg.w_agree * agree
        + cfg.w_missing * max(one_way, other_way)
        + cfg.w_swapped * min(one_way, other_way)
        + cfg.w_price * (gap / max_gap if gap is not None else 0.5)
        + cfg.w_same_platform * (a.platform == b.platform)
    )
    method = "embedding+facts" if agree > 1 else "embedding"
    return 1.0 / (1.0 + math.exp(-x)), method


def max_gap_for(a: Listing, b: Listing, cfg: ProductConfig) -> float:
    """The price tolerance for a pair: tight against a list price, wider between sellers."""
    if a.platform in cfg.unique_platforms or b.platform in cfg.unique_platforms:
        return cfg.max_price_gap
    return cfg.max_seller_price_gap
