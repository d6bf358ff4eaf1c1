"""Clustering and closure on networkx's union-find make the decisions the hand-rolled ones did.

The reference functions below are the replaced implementations, kept here as oracles: on random
scored pairs and random veto tables, ``cluster`` must accept the same matches and put the same
questions to ``compatible`` in the same order, and ``closure_pairs`` must return the same pairs.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import combinations

import pytest

from extraction.resolve.attributes import Facts
from extraction.resolve.clusters import PRODUCT, _can_merge, cluster
from extraction.resolve.listings import Listing
from extraction.resolve.match import Match
from extraction.resolve.product_config import Scored
from extraction.resolve.scoring import closure_pairs

PLATFORMS = ("webshop", "marketplace", "app")


def _listing(i: int, platform: str) -> Listing:
    return Listing(
        key=f"{platform}:L{i:03d}",
        platform=platform,
        title="",
        text="",
        brands=frozenset(),
        facts=Facts(),
        price_eur=None,
        name_words=None,
        text_words=frozenset(),
    )


def _reference_cluster(
    listings: list[Listing],
    scored: list[Scored],
    compatible: Callable[[Listing, Listing], bool],
    unique: tuple[str, ...],
) -> list[Match]:
    root = list(range(len(listings)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(listings))}

    def find(x: int) -> int:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    out = []
    for score, i, j, method in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        ri, rj = find(i), find(j)
        if ri != rj:
            if not _can_merge(listings, members[ri], members[rj], compatible, unique):
                continue
            root[rj] = ri
            members[ri].extend(members.pop(rj))
        out.append(Match.of(PRODUCT, listings[i].key, listings[j].key, score, method))
    return sorted(out, key=lambda m: m.pair)


def _reference_closure(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    return {(min(a, b), max(a, b)) for g in groups.values() for a, b in combinations(g, 2)}


def _case(seed: int) -> tuple[list[Listing], list[Scored], set[frozenset[str]]]:
    """Listings on random platforms, random scored pairs (ties included) and a veto table."""
    rnd = random.Random(seed)
    n = rnd.randint(2, 30)
    listings = [_listing(i, rnd.choice(PLATFORMS)) for i in range(n)]
    pairs = [(i, j) for i, j in combinations(range(n), 2) if rnd.random() < 0.3]
    scored = [(rnd.choice((0.5, 0.7, 0.9, rnd.random())), i, j, "m") for i, j in pairs]
    vetoed = {frozenset((a.key, b.key)) for a, b in combinations(listings, 2) if rnd.random() < 0.1}
    return listings, scored, vetoed


@pytest.mark.parametrize("seed", range(200))
def test_cluster_matches_the_hand_rolled_union_find(seed: int) -> None:
    listings, scored, vetoed = _case(seed)
    asked: dict[str, list[tuple[str, str]]] = {"new": [], "old": []}

    def compatible_for(run: str) -> Callable[[Listing, Listing], bool]:
        def compatible(a: Listing, b: Listing) -> bool:
            asked[run].append((a.key, b.key))
            return frozenset((a.key, b.key)) not in vetoed

        return compatible

    got = cluster(listings, scored, compatible_for("new"), ("webshop",))
    want = _reference_cluster(listings, scored, compatible_for("old"), ("webshop",))
    assert got == want
    assert asked["new"] == asked["old"]


def test_cluster_output_is_sorted_by_pair_and_keeps_one_listing_per_unique_platform() -> None:
    listings = [_listing(0, "webshop"), _listing(1, "marketplace"), _listing(2, "webshop")]
    scored: list[Scored] = [(0.9, 1, 2, "m"), (0.8, 0, 1, "m")]
    matches = cluster(listings, scored, lambda _a, _b: True, ("webshop",))
    assert [m.pair for m in matches] == [("marketplace:L001", "webshop:L002")]


@pytest.mark.parametrize("seed", range(50))
def test_closure_matches_the_hand_rolled_union_find(seed: int) -> None:
    rnd = random.Random(seed)
    keys = [f"k{i}" for i in range(rnd.randint(1, 25))]
    pairs = [(rnd.choice(keys), rnd.choice(keys)) for _ in range(rnd.randint(0, 30))]
    assert closure_pairs(pairs) == _reference_closure(pairs)
