"""Quantities in free text -> normalised values (``2000GB``, ``1700ml``, ``500g``, ``65W``).

Sellers write the same amount many ways (``1 TB``, ``1000gb``, ``1,5 l``, ``0.5L``, ``17 fl oz``,
``15"``, ``38 cm``). Every match is converted to one base unit so that equal amounts compare
equal in the graph; imperial amounts are rounded to two significant digits, which is how metric
pack sizes are labelled (17.6 oz -> 500 g).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

_NUM = r"(?P<num>\d{1,5}(?:[.,]\d{1,3})?)"
_SEP = r"\s?-?\s?"
_END = r"(?![A-Za-z0-9])"

_STORAGE = re.compile(_NUM + _SEP + r"(?P<unit>tb|gb|terabytes?|gigabytes?|tera|giga)" + _END, re.I)
_VOLUME = re.compile(
    _NUM + _SEP + r"(?P<unit>fl\.?\s?oz|ml|cl|dl|l|ltr|litres?|liters?|millilit(?:re|er)s?)" + _END,
    re.I,
)
_WEIGHT = re.compile(
    _NUM
    + _SEP
    + r"(?P<unit>kg|kilos?|kilograms?|g|gr|grams?|grammes?|lbs?|pounds?|oz|ounces?)"
    + _END,
    re.I,
)
_POWER = re.compile(_NUM + _SEP + r"(?P<unit>w|watts?)" + _END, re.I)
_SCREEN = re.compile(
    _NUM + r"\s?(?:-\s?)?(?P<unit>inch(?:es)?|in\b|\"|”|″|''|cm)(?![A-Za-z0-9])", re.I
)
_SHOE = re.compile(
    r"(?:(?P<sys1>eu|uk|us)\s?(?:size\s?)?[:\-]?\s?(?P<n1>\d{1,2}(?:[.,]5)?))"
    r"|(?:(?P<n2>\d{2}(?:[.,]5)?)\s?\(?(?P<sys2>eu|uk|us)\)?)"
    r"|(?:size\s?[:\-]?\s?(?P<n3>(?:3[4-9]|4[0-9])(?:[.,]5)?))",
    re.I,
)
_RAM_CONTEXT = re.compile(r"\bram\b|(?<!internal )\bmemory\b(?!\s*card)|\bddr\d?\b", re.I)
_STORAGE_CONTEXT = re.compile(r"storage|internal|ssd|hdd|disk|rom\b|capacity", re.I)


@dataclass(frozen=True, slots=True)
class Quantity:
    """One amount found in a text: which attribute it can fill, its normal form and its span."""

    kind: str
    value: str
    start: int
    end: int
    # True when the amount was converted from a non-metric unit (a little less certain).
    converted: bool = False


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _two_sig(x: float) -> int:
    """Round to two significant digits (pack sizes are labelled in round metric amounts)."""
    if x <= 0:
        return 0
    digits = math.floor(math.log10(x)) - 1
    return int(round(x / 10**digits) * 10**digits)


def _int(x: float) -> int:
    return round(x)


def _storage(m: re.Match[str]) -> tuple[str, bool]:
    unit = m["unit"].lower()
    n = _number(m["num"])
    return f"{_int(n * 1000 if unit.startswith('t') else n)}GB", False


def _volume(m: re.Match[str]) -> tuple[str, bool]:
    unit = m["unit"].lower().replace(" ", "").replace(".", "")
    n = _number(m["num"])
    if unit.startswith("floz"):
        return f"{_two_sig(n * 29.5735)}ml", True
    factor = {"ml": 1, "cl": 10, "dl": 100}.get(unit, 1 if unit.startswith("milli") else 1000)
    return f"{_int(n * factor)}ml", False


def _weight(m: re.Match[str]) -> tuple[str, bool]:
    unit = m["unit"].lower()
    n = _number(m["num"])
    if unit.startswith(("lb", "pound")):
        return f"{_two_sig(n * 453.592)}g", True
    if unit.startswith(("oz", "ounce")):
        return f"{_two_sig(n * 28.3495)}g", True
    factor = 1000 if unit.startswith("k") else 1
    return f"{_int(n * factor)}g", False


def _power(m: re.Match[str]) -> tuple[str, bool]:
    return f"{_int(_number(m['num']))}W", False


def _screen(m: re.Match[str]) -> tuple[str, bool]:
    n = _number(m["num"])
    if m["unit"].lower() == "cm":
        inches = n / 2.54
        return f"{_int(inches)}in", True
    return (f"{_int(n)}in" if abs(n - round(n)) < 1e-9 else f"{n:g}in"), False


def _shoe(m: re.Match[str]) -> tuple[str, bool] | None:
    system = (m["sys1"] or m["sys2"] or "eu").lower()
    raw = m["n1"] or m["n2"] or m["n3"]
    n = _number(raw)
    if system == "uk":
        n, converted = n + (33 if n <= 6 else 34), True
    elif system == "us":
        n, converted = n + 33, True
    else:
        converted = False
    if not 30 <= n <= 50:
        return None
    return f"EU {n:g}", converted


_PARSERS = (
    ("storage", _STORAGE, _storage),
    ("volume", _VOLUME, _volume),
    ("weight", _WEIGHT, _weight),
    ("power", _POWER, _power),
    ("screen", _SCREEN, _screen),
)


def find_quantities(text: str) -> Iterator[Quantity]:
    """Every amount in ``text``; GB amounts are reported as ``storage`` and also as ``ram`` when
    the words around them say memory, so the caller can pick by category."""
    for kind, pattern, parse in _PARSERS:
        for m in pattern.finditer(text):
            if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "."):
                continue  # inside a longer token such as "A1.5l" or a model number
            value, converted = parse(m)
            yield Quantity(kind, value, m.start(), m.end(), converted)
            if kind == "storage":
                yield Quantity("ram", value, m.start(), m.end(), converted)
    for m in _SHOE.finditer(text):
        if m.start() > 0 and text[m.start() - 1].isalnum():
            continue
        parsed = _shoe(m)
        if parsed:
            yield Quantity("shoe_size", parsed[0], m.start(), m.end(), parsed[1])


def memory_context(text: str, start: int, end: int, window: int = 24) -> str | None:
    """``"ram"`` or ``"storage"`` when the words say which: a word right after the amount
    ("16GB RAM", "512 GB of storage") wins, else the last such word before it in the same
    clause ("RAM - 16GB", but not "Storage - 2000GB. RAM - 16GB" for the 2000GB)."""
    after = text[end : end + 16]
    for kind, pattern in (("ram", _RAM_CONTEXT), ("storage", _STORAGE_CONTEXT)):
        m = pattern.search(after)
        if m and re.fullmatch(r"\s*(?:of\s+)?(?:internal\s+)?", after[: m.start()]):
            return kind
    before = re.split(r"[.;|!?]\s|,", text[max(0, start - window) : start])[-1]
    best: tuple[int, str] | None = None
    for kind, pattern in (("ram", _RAM_CONTEXT), ("storage", _STORAGE_CONTEXT)):
        for m in pattern.finditer(before):
            if best is None or m.end() > best[0]:
                best = (m.end(), kind)
    return best[1] if best else None


def gigabytes(value: str) -> int:
    """``"512GB"`` -> 512 (for the RAM-or-storage decision)."""
    return int(value[:-2])
