"""Surface forms: how canonical values get written, with character spans kept exact.

The renderer fills ``{slot}`` templates and records, for every slot that carries a fact, the
exact span it produced. Spans are computed while rendering (never searched for afterwards), so
they stay correct even when the same word appears twice or the surface is misspelled.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from types import ModuleType

from . import phrasing_dev, phrasing_heldout
from .config import TEMPLATE_HELDOUT_SHARE

_SLOT = re.compile(r"\{(\w+)\}")
_FIELD = re.compile(r"\{(\w+)\}")
QUANTITY_UNITS = ("GB", "W", "in", "ml", "g")


@dataclass(frozen=True, slots=True)
class Fact:
    """One stated attribute: its canonical value and where the text states it."""

    attribute: str
    value: str
    start: int
    end: int
    text: str

    def shifted(self, offset: int) -> Fact:
        """The same fact after the text it lives in has been prefixed by ``offset`` chars."""
        return Fact(self.attribute, self.value, self.start + offset, self.end + offset, self.text)


def pick_pool(rnd: random.Random) -> ModuleType:
    """Dev pool with probability 0.7, held-out with 0.3 (see the phrasing modules)."""
    return phrasing_heldout if rnd.random() < TEMPLATE_HELDOUT_SHARE else phrasing_dev


def render(
    template: str, slots: dict[str, tuple[str, str | None]], attr_names: dict[str, str]
) -> tuple[str, list[Fact]]:
    """Fill a template; slots map name -> (surface, canonical value or None for no fact).

    ``attr_names`` maps a slot name to the attribute recorded in the fact (``v`` -> ``colour``).
    """
    parts: list[str] = []
    facts: list[Fact] = []
    pos = last = 0
    for m in _SLOT.finditer(template):
        literal = template[last : m.start()]
        parts.append(literal)
        pos += len(literal)
        surface, value = slots[m.group(1)]
        if value is not None:
            attr = attr_names.get(m.group(1), m.group(1))
            facts.append(Fact(attr, value, pos, pos + len(surface), surface))
        parts.append(surface)
        pos += len(surface)
        last = m.end()
    parts.append(template[last:])
    return "".join(parts), facts


def join_sentences(
    pieces: list[tuple[str, list[Fact]]], rnd: random.Random
) -> tuple[str, list[Fact]]:
    """Concatenate rendered sentences (sometimes with sloppy double spaces), shifting spans."""
    text = ""
    facts: list[Fact] = []
    for sentence, sfacts in pieces:
        if not sentence:
            continue
        if text:
            text += "  " if rnd.random() < 0.05 else " "
        facts.extend(f.shifted(len(text)) for f in sfacts)
        text += sentence
    return text, facts


def misspell(word: str, rnd: random.Random) -> str:
    """One keyboard-style typo: dropped, doubled or swapped letter, or a vowel swap."""
    if len(word) < 4:
        return word
    i = rnd.randrange(1, len(word) - 1)
    kind = rnd.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    vowels = "aeiou"
    j = next((k for k in range(i, len(word)) if word[k] in vowels), None)
    if j is None:
        return word[:i] + word[i + 1 :]
    return word[:j] + rnd.choice([v for v in vowels if v != word[j]]) + word[j + 1 :]


def brand_surface(brand: str, rnd: random.Random, p_typo: float) -> str:
    """A brand as sellers write it: mostly right, sometimes shouted, lower-cased or misspelled."""
    r = rnd.random()
    if r < p_typo:
        return misspell(brand, rnd)
    if r < p_typo + 0.07:
        return brand.upper()
    if r < p_typo + 0.12:
        return brand.lower()
    return brand


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _quantity_fields(n: float) -> dict[str, str]:
    """All the numbers a quantity can be written with (only the ones that read naturally)."""
    fields = {"n": _num(n)}
    if n >= 1000 and n % 1000 == 0:
        fields["t"] = _num(n / 1000)
    if n >= 250:
        fields["l"] = _num(n / 1000)
        fields["lc"] = fields["l"].replace(".", ",")
        fields["kg"] = fields["l"]
    if n % 10 == 0:
        fields["cl"] = _num(n / 10)
    return fields


def quantity_surface(n: float, unit: str, pool: ModuleType, rnd: random.Random) -> str:
    """Write a quantity in one of the pool's formats whose fields exist for this value."""
    fields = _quantity_fields(n)
    usable = [f for f in pool.QUANTITY[unit] if all(k in fields for k in _FIELD.findall(f))]
    return rnd.choice(usable).format(**fields)


def value_surface(
    attr: str, value: str, num: float | None, pool: ModuleType, rnd: random.Random
) -> str:
    """A surface form of one canonical attribute value in the given pool's style."""
    if num is not None:
        unit = next(u for u in QUANTITY_UNITS if value.endswith(u))
        return quantity_surface(num, unit, pool, rnd)
    if attr == "shoe_size":
        return str(rnd.choice(pool.SHOE_SIZE)).format(n=value.split()[-1])
    words = pool.WORDS.get(attr, {}).get(value)
    if words:
        return str(rnd.choice(words))
    if attr in ("compat", "model"):
        return value if rnd.random() < 0.85 else value.lower()
    return value if rnd.random() < 0.6 else value.title()
