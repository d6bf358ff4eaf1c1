"""The catalogue's own vocabulary: brands and category paths, cleaned by majority vote.

The web shop's ``brand`` and ``category`` columns are noisy (re-cased, misspelt, ``A/B`` or
``A > B`` or only ``B``, sometimes wrong), but most rows are right. Counting spellings and merging
rare ones into a frequent one within a small edit distance recovers the canonical names without
any hand-written brand list, so a new catalogue brings its own vocabulary.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz.distance import OSA

_WS = re.compile(r"\s+")
_PATH_SPLIT = re.compile(r"\s*(?:>|/|\\|»|\|)\s*")


def fold(text: str) -> str:
    """Case- and whitespace-insensitive key."""
    return _WS.sub(" ", text).strip().casefold()


def max_typos(text: str) -> int:
    """Edits a misspelling of ``text`` may have: none for short names, two for long ones."""
    n = len(text)
    return 0 if n < 4 else 1 if n < 9 else 2


def _cluster(counts: Counter[str]) -> dict[str, str]:
    """Map each folded spelling to the folded head it is a misspelling of.

    Spellings are visited from most to least frequent; one joins the first more frequent head
    within ``max_typos`` edits (optimal string alignment, so a swapped pair is one edit) when the
    head is at least twice as frequent, else it starts a head of its own.
    """
    heads: list[str] = []
    member_of: dict[str, str] = {}
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        target = None
        for head in heads:
            limit = max_typos(head)
            if counts[head] >= 2 * n and OSA.distance(key, head, score_cutoff=limit) <= limit:
                target = head
                break
        if target is None:
            heads.append(key)
            target = key
        member_of[key] = target
    return member_of


def _majority_spelling(raw: Iterable[str]) -> dict[str, str]:
    """Folded key -> the most frequent original spelling (ties: alphabetical)."""
    by_key: dict[str, Counter[str]] = defaultdict(Counter)
    for value in raw:
        by_key[fold(value)][_WS.sub(" ", value).strip()] += 1
    return {k: min(c.items(), key=_spelling_rank)[0] for k, c in by_key.items()}


def _spelling_rank(item: tuple[str, int]) -> tuple[int, bool, str]:
    """Most frequent first; on a tie, a mixed-case form ("Orbix") before "ORBIX" or "orbix"."""
    text, n = item
    return (-n, text.isupper() or text.islower(), text)


@dataclass(frozen=True)
class Vocabulary:
    """Canonical brands and category paths of one catalogue, with the spellings seen for each."""

    brands: tuple[str, ...]
    brand_spellings: Mapping[str, str]  # folded spelling -> canonical brand
    leaf_parent: Mapping[str, str]  # canonical leaf -> canonical department
    leaf_by_key: Mapping[str, str]  # folded leaf -> canonical leaf

    def canonical_brand(self, raw: str | None) -> str | None:
        """The canonical brand for a column value (any casing, a known misspelling), or None."""
        if not raw or not raw.strip():
            return None
        key = fold(raw)
        if key in self.brand_spellings:
            return self.brand_spellings[key]
        best = None
        for spelling, brand in self.brand_spellings.items():
            limit = max_typos(spelling)
            d = OSA.distance(key, spelling, score_cutoff=limit)
            if d <= limit and (best is None or d < best[0]):
                best = (d, brand)
        return best[1] if best else None

    def category_path(self, leaf: str) -> str:
        """``"Phones"`` -> ``"Electronics > Phones"`` (the leaf alone if its parent is unknown)."""
        parent = self.leaf_parent.get(leaf)
        return f"{parent} > {leaf}" if parent else leaf

    def canonical_leaf(self, raw: str | None) -> str | None:
        """The canonical leaf named by a raw category value in any of its forms, or None."""
        if not raw or not raw.strip():
            return None
        parts = [p for p in _PATH_SPLIT.split(raw.strip()) if p]
        return self.leaf_by_key.get(fold(parts[-1])) if parts else None


def _canonical(raw: list[str]) -> dict[str, str]:
    """Folded spelling -> canonical name: misspellings merged, majority casing."""
    member = _cluster(Counter(fold(x) for x in raw))
    spelling = _majority_spelling(raw)
    return {k: spelling[head] for k, head in member.items()}


def _parents(votes: Mapping[str, Counter[str]], leaf_by_key: Mapping[str, str]) -> dict[str, str]:
    """Canonical leaf -> its department by majority over the ``A > B`` rows (re-cased)."""
    folded: dict[str, Counter[str]] = defaultdict(Counter)
    raw: list[str] = []
    for key, counts in votes.items():
        for parent, n in counts.items():
            folded[leaf_by_key[key]][fold(parent)] += n
            raw.extend([parent] * n)
    spelling = _majority_spelling(raw)
    return {
        leaf: spelling[min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0]]
        for leaf, c in folded.items()
    }


def build_vocabulary(rows: Iterable[Mapping[str, str | None]]) -> Vocabulary:
    """Vocabulary from web-shop product rows (``brand`` and ``category`` columns)."""
    brand_raw: list[str] = []
    leaf_raw: list[str] = []
    parent_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        brand = (row.get("brand") or "").strip()
        parts = [p for p in _PATH_SPLIT.split((row.get("category") or "").strip()) if p]
        if brand:
            brand_raw.append(brand)
        if parts:
            leaf_raw.append(parts[-1])
            if len(parts) >= 2:
                parent_votes[fold(parts[-1])][_WS.sub(" ", parts[-2]).strip()] += 1
    brand_spellings = _canonical(brand_raw)
    leaf_by_key = _canonical(leaf_raw)
    return Vocabulary(
        brands=tuple(sorted(set(brand_spellings.values()))),
        brand_spellings=brand_spellings,
        leaf_parent=_parents(parent_votes, leaf_by_key),
        leaf_by_key=leaf_by_key,
    )
