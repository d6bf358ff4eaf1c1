"""Data-entry noise for raw string fields: casing, stray whitespace and missing values.

Applied only to raw exports, never to keys (real systems keep their own ids clean) and never to
truth files. Free texts whose spans are recorded only receive span-preserving noise.
"""

from __future__ import annotations

import random


class Noise:
    """Draws noise from its own stream so adding a noisy column does not shift other draws."""

    def __init__(self, rnd: random.Random) -> None:
        self._rnd = rnd

    def text(self, value: str, p: float = 0.04) -> str:
        """With probability ``p`` change casing or whitespace of a field."""
        rnd = self._rnd
        if not value or rnd.random() >= p:
            return value
        kind = rnd.randrange(6)
        if kind == 0:
            return value.upper()
        if kind == 1:
            return value.lower()
        if kind == 2:
            return value.title()
        if kind == 3:
            return " " + value
        if kind == 4:
            return value + "  "
        return value.replace(" ", "  ", 1) if " " in value else value + " "

    def missing(self, value: str, p: float) -> str:
        """Blank a value with probability ``p`` (optional fields people skip)."""
        return "" if self._rnd.random() < p else value

    def field(self, value: str, p_missing: float = 0.02, p_noise: float = 0.04) -> str:
        """Missing-or-noisy in one call, the usual treatment of an optional text column."""
        return self.text(self.missing(value, p_missing), p_noise)

    def trailing(self, value: str, p: float = 0.02) -> str:
        """Span-preserving noise for free text: only trailing whitespace is added."""
        return value + " " if self._rnd.random() < p else value
