"""The one result type of entity resolution and its translation into SAME_AS relationships.

A match is an undirected claim ("these two nodes are one real-world entity"), so it is stored
with its keys in a fixed order: the same pair found twice, from either side, is one ``Match``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graph.records import RelRecord

SAME_AS = "SAME_AS"


@dataclass(frozen=True, slots=True)
class Match:
    """Two nodes of one label judged to be the same entity.

    ``score`` is in [0, 1] (higher is surer); ``method`` names the evidence that carried the
    decision (``"email+name"``, ``"app-order"``), so a reviewer can audit a merge without
    re-running the resolver.
    """

    label: str
    key_a: str
    key_b: str
    score: float
    method: str

    def __post_init__(self) -> None:
        if not self.key_a < self.key_b:
            raise ValueError(
                f"Match keys must be ordered and distinct: {self.key_a!r}, {self.key_b!r}"
            )
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"Match score {self.score} outside [0, 1]")

    @classmethod
    def of(cls, label: str, key_x: str, key_y: str, score: float, method: str) -> Match:
        """Build a match from keys in either order (scores are clipped to [0, 1])."""
        a, b = (key_x, key_y) if key_x < key_y else (key_y, key_x)
        return cls(label, a, b, round(min(1.0, max(0.0, score)), 4), method)

    @property
    def pair(self) -> tuple[str, str]:
        """The ordered key pair, the unit pairwise evaluation counts."""
        return (self.key_a, self.key_b)


def matches_to_records(matches: Iterable[Match]) -> list[RelRecord]:
    """``(label {key_a})-[:SAME_AS {score, method}]->(label {key_b})``, one per match.

    The direction carries no meaning (key order only); a fixed one keeps loads idempotent.
    """
    return [
        RelRecord(
            SAME_AS,
            m.label,
            m.key_a,
            m.label,
            m.key_b,
            {"score": m.score, "method": m.method},
        )
        for m in sorted(matches, key=lambda m: (m.label, m.key_a, m.key_b))
    ]


def dedupe_best(matches: Iterable[Match]) -> list[Match]:
    """One match per (label, pair): the highest score wins, ties by method name."""
    best: dict[tuple[str, str, str], Match] = {}
    for m in matches:
        key = (m.label, m.key_a, m.key_b)
        old = best.get(key)
        if old is None or (m.score, m.method) > (old.score, old.method):
            best[key] = m
    return [best[k] for k in sorted(best)]
