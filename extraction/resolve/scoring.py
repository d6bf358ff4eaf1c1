"""Pairwise precision/recall of entity resolution against the generator's truth files.

Evaluation only: the resolver never reads truth. A predicted pair is a true positive when both
keys belong to the same truth cluster (person or canonical product). Two views are reported:

* ``direct``: the SAME_AS edges exactly as emitted;
* ``closure``: every pair inside a connected component of those edges, which is what a consumer
  that merges SAME_AS transitively will see. It credits links the resolver never scored directly
  (app -> web shop -> marketplace) and multiplies the cost of a wrong edge, so it is the stricter
  test of precision and the honest one for recall. ``docs/entity-resolution.md`` quotes both.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

from networkx.utils import UnionFind

from extraction.resolve.match import Match

_ACCOUNT_PREFIX = {"webshop": "webshop:", "marketplace": "marketplace:", "app": "app:"}


def pairwise_prf(
    predicted_pairs: set[tuple[str, str]], truth_clusters: dict[str, str]
) -> dict[str, Any]:
    """Precision, recall, F1, tp, fp, fn over unordered key pairs.

    ``truth_clusters`` maps key -> cluster id. Pairs with a key unknown to the truth count as
    false positives; truth pairs are all pairs within each cluster.
    """
    predicted = {_ordered(a, b) for a, b in predicted_pairs if a != b}
    tp = sum(
        1
        for a, b in predicted
        if a in truth_clusters and truth_clusters.get(a) == truth_clusters.get(b)
    )
    fp = len(predicted) - tp
    sizes: dict[str, int] = defaultdict(int)
    for cluster in truth_clusters.values():
        sizes[cluster] += 1
    fn = sum(n * (n - 1) // 2 for n in sizes.values()) - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def closure_pairs(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """All pairs within the connected components of ``pairs`` (transitive closure).

    A set of ordered pairs, so the result does not depend on which member networkx's union-find
    names as each component's root or on the order it lists the members in.
    """
    components = UnionFind()
    for a, b in pairs:
        components.union(a, b)
    return {_ordered(a, b) for members in components.to_sets() for a, b in combinations(members, 2)}


def evaluate(matches: Iterable[Match], truth_clusters: dict[str, str]) -> dict[str, Any]:
    """``{"direct": prf, "closure": prf}`` for a resolver's output."""
    direct = {m.pair for m in matches}
    return {
        "direct": pairwise_prf(direct, truth_clusters),
        "closure": pairwise_prf(closure_pairs(direct), truth_clusters),
    }


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def account_clusters(data_dir: Path) -> dict[str, str]:
    """Graph key ("webshop:WS-C000001", "app:usr_...") -> person id, from truth/accounts.csv.

    Synthetic identities (``S...``) are clusters of their own like any person: a fraudster's
    made-up account is not the same customer as anyone else.
    """
    return {
        f"{_ACCOUNT_PREFIX[r['platform']]}{r['account_id']}": r["person_id"]
        for r in _rows(data_dir / "truth" / "accounts.csv")
    }


def product_clusters(data_dir: Path) -> dict[str, str]:
    """Graph key ("webshop:WS-P...", "marketplace:MP-L...") -> canonical product id."""
    return {
        f"{_ACCOUNT_PREFIX[r['platform']]}{r['listing_id']}": r["canonical_product_id"]
        for r in _rows(data_dir / "truth" / "products.csv")
    }
