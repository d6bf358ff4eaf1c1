"""Order references in support-ticket text, resolved against the order ids that exist.

Customers cite orders every which way: ``#WS-O000123``, ``ws-o 123``, ``ord. 000123``,
``MP order 8f3a...``, a bare 12-hex id, ``MP-8F3A...``. Each candidate is normalised into
the form of the order tables and kept only if that order exists, so nothing is invented. A bare
number or hex string could belong to either platform; the ticket's ``source`` decides when both
readings exist, and a reading on the other platform is kept with lower confidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_WS_FULL = re.compile(
    r"(?<![A-Za-z0-9])W\.?S[\s._/-]{0,2}O?[\s._/-]{0,2}#?(?P<num>\d{1,9})(?!\d)", re.I
)
_MP_FULL = re.compile(
    r"(?<![A-Za-z0-9])M\.?P[\s._/#:-]{0,3}(?P<hex>[0-9a-f]{12})(?![0-9a-z])", re.I
)
_HEX = re.compile(r"(?<![\w-])(?P<hex>[0-9a-f]{12})(?![\w-])", re.I)
_NUMBER = re.compile(r"(?<![\w.,/-])#?\s?(?P<num>\d{1,9})(?![\w-]|[.,/]\d)")
# Words that introduce an order number ("order no. 123", "ord. 000123", "Bestellung 123").
_ORDER_CUE = re.compile(
    r"(?:order|ord|purchase|bestellung|commande|pedido|ref|reference|booking|"
    r"no|nr|num|number|id|#)\W{0,4}(?:(?:no|nr|number|id|num)\W{0,3})?$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class OrderRef:
    """One resolved reference: the order id as in the order tables, and the cited token."""

    order_id: str
    platform: str
    start: int
    end: int
    confidence: float


class OrderResolver:
    """Finds references in text and keeps those that name an existing order."""

    def __init__(self, known_order_ids: Iterable[str]) -> None:
        self.known = frozenset(known_order_ids)
        widths = {len(k) - 4 for k in self.known if k.startswith("WS-O")}
        self.ws_widths = sorted(widths) or [6]

    def _ws(self, digits: str) -> str | None:
        for width in self.ws_widths:
            oid = f"WS-O{int(digits):0{width}d}"
            if oid in self.known:
                return oid
        return None

    def _mp(self, hexid: str) -> str | None:
        oid = f"MP-{hexid.lower()}"
        return oid if oid in self.known else None

    def find(self, text: str, source: str | None) -> list[OrderRef]:
        """Resolved references in ``text``; one per order, first citation, in text order."""
        seen: dict[str, OrderRef] = {}
        taken: list[tuple[int, int]] = []
        for ref in self._candidates(text, source, taken):
            if ref.order_id not in seen:
                seen[ref.order_id] = ref
        return sorted(seen.values(), key=lambda r: r.start)

    @staticmethod
    def _free(taken: list[tuple[int, int]], a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in taken)

    def _candidates(
        self, text: str, source: str | None, taken: list[tuple[int, int]]
    ) -> Iterator[OrderRef]:
        """Prefixed ids first (certain), then bare tokens where they are not part of one."""
        for m in _WS_FULL.finditer(text):
            oid = self._ws(m["num"])
            if oid:
                taken.append(m.span())
                yield OrderRef(oid, "webshop", m.start(), m.end(), 0.99)
        for m in _MP_FULL.finditer(text):
            oid = self._mp(m["hex"])
            if oid and self._free(taken, *m.span()):
                taken.append(m.span())
                yield OrderRef(oid, "marketplace", m.start(), m.end(), 0.99)
        for m in _HEX.finditer(text):
            if not self._free(taken, *m.span()) or (m["hex"].isdigit() and not self._mp(m["hex"])):
                continue
            ref = self._pick(m["hex"], m.start(), m.end(), source, hexid=True)
            if ref:
                taken.append(m.span())
                yield ref
        yield from self._numbers(text, source, taken)

    def _numbers(
        self, text: str, source: str | None, taken: list[tuple[int, int]]
    ) -> Iterator[OrderRef]:
        """Bare numbers count only after an order word ("ord. 123") or when zero-padded."""
        for m in _NUMBER.finditer(text):
            a, b = m.span("num")
            if not self._free(taken, a, b):
                continue
            cue = _ORDER_CUE.search(text[max(0, m.start() - 24) : a])
            if not (cue or (m["num"].startswith("0") and len(m["num"]) >= 4)):
                continue
            ref = self._pick(m["num"], a, b, source, hexid=False)
            if ref:
                taken.append((a, b))
                yield ref

    def _pick(
        self, token: str, start: int, end: int, source: str | None, hexid: bool
    ) -> OrderRef | None:
        """The reading of a bare token that exists; the ticket's platform breaks a tie, and a
        reading only on the other platform than the ticket's is kept with lower confidence."""
        readings = []
        mp = self._mp(token) if len(token) == 12 else None
        ws = self._ws(token) if token.isdigit() else None
        if mp:
            readings.append(
                OrderRef(
                    mp, "marketplace", start, end, 0.95 if hexid and not token.isdigit() else 0.8
                )
            )
        if ws:
            readings.append(OrderRef(ws, "webshop", start, end, 0.9))
        if not readings:
            return None
        src = (source or "").strip().lower()
        same = [r for r in readings if r.platform == src]
        if same:
            return same[0]
        r = readings[0]
        # Both platforms have it and the ticket does not say which; or only the other one has it.
        factor = 0.55 if len(readings) > 1 else 0.8 if src else 1.0
        return OrderRef(r.order_id, r.platform, start, end, round(r.confidence * factor, 3))
