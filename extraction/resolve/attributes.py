"""What a listing's free text says about the product: quantities, colours, model, other values.

Two listings of one product are worded differently ("128 GB" / "128gb", "1 l" / "1000 ml",
"navy blue" / "dark blue"), while two *variants* of one model differ in exactly these facts. So
the facts are read into canonical units and values; the matcher then vetoes pairs whose stated
facts disagree. Absent facts never veto: listings state only some of their attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from extraction.resolve.lexicon import COLOURS, GROUPS, MODEL_SUFFIXES, NOUN_PHRASES

_NUM = r"(\d+(?:[.,]\d+)?)"
# unit pattern -> (quantity class, factor to the base unit)
_UNITS: tuple[tuple[str, str, float], ...] = (
    (r"tb|terabytes?", "gb", 1000.0),
    (r"gb|gigabytes?|gig", "gb", 1.0),
    (r"w|watts?", "w", 1.0),
    (r"ml|millilit(?:re|er)s?", "ml", 1.0),
    (r"cl|centilit(?:re|er)s?", "ml", 10.0),
    (r"l|lit(?:re|er)s?|ltr", "ml", 1000.0),
    (r"kg|kilos?|kilograms?", "g", 1000.0),
    (r"g|gr|grams?", "g", 1.0),
    (r"in|inch(?:es)?|zoll|\"|''|”", "in", 1.0),
)
_QUANTITY = re.compile(
    _NUM + r"\s*-?\s*(" + "|".join(f"(?:{u})" for u, _, _ in _UNITS) + r")(?![a-z0-9])"
)
_SHOE = re.compile(
    r"(?:\beur?\s*(?:size\s*)?|\bsize\s*|\bgr\.?\s*)(\d{2})\b(?:\s*\(eu\))?|\b(\d{2})\s*\(eu\)"
)
_CLOTHING = re.compile(
    r"(?:\bsize\b|\bgr\.|\bgröße\b)\s*(?:[:=-]|->)?\s*(?:size\s*)?(xxs|xs|s|m|l|xl|xxl|xxxl)\b"
    r"|\b(xxs|xs|xl|xxl|xxxl|small|large|x-large|extra large)\b"
)
_NOISE_NUMBERS = re.compile(
    r"\d+\s*(?:hours?|days?|weeks?|months?|years?|yrs?|%|x\b|pcs|pack)|\d+/\d+|\b(?:19|20)\d\d\b"
)
_MODEL = re.compile(r"\b([a-z]{2,})\s+(\d{1,3})\b(?:\s+([a-z]+))?")


@dataclass(frozen=True, slots=True)
class Facts:
    """Canonical facts stated by one listing's text (title, description, listed brand)."""

    quantities: dict[str, frozenset[float]] = field(default_factory=dict)
    colours: frozenset[str] = frozenset()
    values: dict[str, str] = field(default_factory=dict)  # group -> the one value stated
    models: frozenset[tuple[str, str, str]] = frozenset()  # (series, number, suffix)
    rest: str = ""  # the text, original casing, with every fact read blanked out


def read_facts(text: str) -> Facts:
    """Parse one listing's text. Order matters: phrases ("in-ear", "dark blue") go first so
    "10 in-ear" is no 10-inch screen, then units and sizes, so their digits are not read again
    as model numbers."""
    low = text.lower().replace("\u2019", "'")
    for noun in NOUN_PHRASES:
        low = low.replace(noun, " " * len(noun))
    colours, low = _phrases(low, COLOURS)
    values: dict[str, str] = {}
    for group, table in GROUPS.items():
        found, low = _phrases(low, table)
        if len(found) == 1:
            values[group] = next(iter(found))
    quantities, low = _quantities(low)
    sizes, low = _sizes(low)
    quantities.update(sizes)
    clean = _NOISE_NUMBERS.sub(_blank, low)
    if len(clean) == len(text):  # lower() kept every offset: mask the original casing too
        rest = "".join(c if k != " " else " " for c, k in zip(text, clean, strict=True))
    else:
        rest = clean
    return Facts(
        quantities={k: frozenset(v) for k, v in quantities.items()},
        colours=frozenset(colours),
        values=values,
        models=_models(clean),
        rest=rest,
    )


def _blank(m: re.Match[str]) -> str:
    """Same-length blanks, so offsets in the text stay aligned with the original."""
    return " " * len(m.group(0))


def _quantities(low: str) -> tuple[dict[str, set[float]], str]:
    out: dict[str, set[float]] = {}

    def take(m: re.Match[str]) -> str:
        unit = m.group(2)
        for pattern, cls, factor in _UNITS:
            if re.fullmatch(pattern, unit):
                value = float(m.group(1).replace(",", ".")) * factor
                if cls == "gb":  # RAM and storage share the unit: keep them apart by size
                    cls = "gb-small" if value < 64 else "gb-large"
                out.setdefault(cls, set()).add(round(value, 1))
                break
        return _blank(m)

    return out, _QUANTITY.sub(take, low)


def _sizes(low: str) -> tuple[dict[str, set[float]], str]:
    out: dict[str, set[float]] = {}

    def shoe(m: re.Match[str]) -> str:
        n = int(m.group(1) or m.group(2))
        if 30 <= n <= 50:
            out.setdefault("shoe", set()).add(float(n))
            return _blank(m)
        return m.group(0)

    def clothing(m: re.Match[str]) -> str:
        label = (m.group(1) or m.group(2)).upper()
        label = _CLOTHING_WORDS.get(label, label)
        out.setdefault("clothing", set()).add(float(_CLOTHING_ORDER.index(label)))
        return _blank(m)

    low = _SHOE.sub(shoe, low)
    return out, _CLOTHING.sub(clothing, low)


_CLOTHING_ORDER = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")
_CLOTHING_WORDS = {"SMALL": "S", "LARGE": "L", "X-LARGE": "XL", "EXTRA LARGE": "XL"}


@cache
def _compiled(phrases: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p, _ in phrases)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def _phrases(low: str, table: dict[str, tuple[str, ...]]) -> tuple[set[str], str]:
    """Canonical values of every phrase of ``table`` found in ``low`` (longest phrase first),
    and the text with those phrases blanked out."""
    pairs = tuple(
        sorted(((p, v) for v, ps in table.items() for p in ps), key=lambda pv: -len(pv[0]))
    )
    lookup = dict(pairs)
    found: set[str] = set()

    def take(m: re.Match[str]) -> str:
        found.add(lookup[m.group(0)])
        return _blank(m)

    return found, _compiled(pairs).sub(take, low)


def _models(low: str) -> frozenset[tuple[str, str, str]]:
    """Model names such as "core 5 lite": a word, a small number, an optional suffix word."""
    out = set()
    for m in _MODEL.finditer(low):
        suffix = m.group(3) if m.group(3) in MODEL_SUFFIXES else ""
        out.add((m.group(1), m.group(2), suffix))
    return frozenset(out)


def conflicts(a: Facts, b: Facts) -> list[str]:
    """The facts both listings state and disagree on (empty: compatible)."""
    out = []
    for cls in a.quantities.keys() & b.quantities.keys():
        if not a.quantities[cls] & b.quantities[cls]:
            out.append(cls)
    if a.colours and b.colours and not a.colours & b.colours:
        out.append("colour")
    for group in a.values.keys() & b.values.keys():
        if a.values[group] != b.values[group]:
            out.append(group)
    if a.models and b.models and not _models_agree(a.models, b.models):
        out.append("model")
    return out


def _models_agree(a: frozenset[tuple[str, str, str]], b: frozenset[tuple[str, str, str]]) -> bool:
    """Some model name in common: same number and suffix; the series word may be misspelt."""
    return any(x[1:] == y[1:] and (x[0] == y[0] or x[0][:2] == y[0][:2]) for x in a for y in b)


def agreements(a: Facts, b: Facts) -> int:
    """How many stated facts the two listings share (evidence beyond the title's wording)."""
    n = sum(
        1
        for cls in a.quantities.keys() & b.quantities.keys()
        if a.quantities[cls] & b.quantities[cls]
    )
    n += bool(a.colours & b.colours)
    n += sum(1 for g in a.values.keys() & b.values.keys() if a.values[g] == b.values[g])
    n += bool(a.models and b.models and _models_agree(a.models, b.models))
    return n
