"""Turning scored listing pairs into consistent product clusters.

Pairwise decisions alone can chain two different products together (A~B and B~C, with A and C
two colour variants), so pairs are accepted best-first and only while the merged cluster stays
consistent: at most one listing from each platform that lists a product once, and no two members
whose stated facts clash. A listing whose two best partners on such a platform score almost
alike is a coin toss between variants; both pairs are dropped rather than guessed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable

from networkx.utils import UnionFind

from extraction.resolve.listings import Listing
from extraction.resolve.match import Match
from extraction.resolve.product_config import ProductConfig, Scored

PRODUCT = "Product"


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def drop_ambiguous(
    listings: list[Listing], scored: list[Scored], cfg: ProductConfig
) -> list[Scored]:
    """Remove pairs from listings whose best two partners on a unique platform are too close."""
    partners: dict[tuple[int, str], list[float]] = defaultdict(list)
    for score, i, j, _ in scored:
        for x, y in ((i, j), (j, i)):
            if listings[y].platform in cfg.unique_platforms:
                partners[(x, listings[y].platform)].append(_logit(score))
    ambiguous = set()
    for key, logits in partners.items():
        if len(logits) >= 2:
            top, second = sorted(logits, reverse=True)[:2]
            if top - second < cfg.ambiguity_margin:
                ambiguous.add(key)
    return [
        s
        for s in scored
        if (s[1], listings[s[2]].platform) not in ambiguous
        and (s[2], listings[s[1]].platform) not in ambiguous
    ]


def cluster(
    listings: list[Listing],
    scored: list[Scored],
    compatible: Callable[[Listing, Listing], bool],
    unique: tuple[str, ...],
) -> list[Match]:
    """Best-first union under the consistency rules; accepted pairs are the matches.

    ``members`` lists each cluster's listings in merge order (the first listing's cluster, then
    the second's) under whichever root networkx's union-find picks, so the consistency checks
    see the same members in the same order whatever the root.
    """
    sets = UnionFind(range(len(listings)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(listings))}
    out = []
    for score, i, j, method in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        ri, rj = sets[i], sets[j]
        if ri != rj:
            if not _can_merge(listings, members[ri], members[rj], compatible, unique):
                continue
            sets.union(ri, rj)
            joined = members.pop(ri) + members.pop(rj)
            members[sets[ri]] = joined
        out.append(Match.of(PRODUCT, listings[i].key, listings[j].key, score, method))
    return sorted(out, key=lambda m: m.pair)


def _can_merge(
    listings: list[Listing],
    left: list[int],
    right: list[int],
    compatible: Callable[[Listing, Listing], bool],
    unique: tuple[str, ...],
) -> bool:
    platforms = {listings[i].platform for i in left} & {listings[j].platform for j in right}
    if platforms & set(unique):
        return False
    return all(compatible(listings[i], listings[j]) for i in left for j in right)
