"""Product titles and descriptions rendered from the phrasing pools.

The same canonical product gets different titles on the two sites (word order, unit style,
misspelled brand, marketing noise); marketplace descriptions state brand, category and
attributes with exact spans recorded for the truth file.
"""

from __future__ import annotations

import random
import re
from types import ModuleType

from .catalog import Product
from .surface import Fact, brand_surface, join_sentences, render, value_surface
from .taxonomy import BRANDS, CATEGORIES

_SPACES = re.compile(r"\s{2,}")


def _spec_surfaces(product: Product, pool: ModuleType, rnd: random.Random) -> list[str]:
    """1-3 attribute surfaces for a title, in random order."""
    names = [
        a
        for a in product.attrs
        if a != "connector" or CATEGORIES[product.category].key == "charger"
    ]
    rnd.shuffle(names)
    out = []
    for a in names[: rnd.randint(1, 3)]:
        s = value_surface(a, product.attrs[a], product.nums.get(a), pool, rnd)
        out.append(str(rnd.choice(pool.COMPAT_TITLE)).format(v=s) if a == "compat" else s)
    return out


def title(product: Product, pool: ModuleType, rnd: random.Random, marketplace: bool) -> str:
    """A listing title; marketplace sellers misspell brands more and add marketing words."""
    key = CATEGORIES[product.category].key
    specs = str(rnd.choice(pool.SPEC_JOINERS)).join(_spec_surfaces(product, pool, rnd))
    brand = brand_surface(BRANDS[product.brand][0], rnd, 0.10 if marketplace else 0.03)
    text = str(rnd.choice(pool.TITLE_TEMPLATES)).format(
        brand=brand, line=product.line, noun=rnd.choice(pool.CATEGORY_NOUNS[key]), specs=specs
    )
    if marketplace and rnd.random() < 0.4:
        word = str(rnd.choice(pool.MARKETING))
        text = f"{word} {text}" if rnd.random() < 0.5 else f"{text} {word}"
    return _SPACES.sub(" ", text).strip()


def _opener(product: Product, pool: ModuleType, rnd: random.Random) -> tuple[str, list[Fact]]:
    cat = CATEGORIES[product.category]
    brand = BRANDS[product.brand][0]
    slots: dict[str, tuple[str, str | None]] = {
        "brand": (brand_surface(brand, rnd, 0.08), brand),
        "noun": (str(rnd.choice(pool.CATEGORY_NOUNS[cat.key])), cat.path),
        "line": (product.line, product.line if cat.has_model else None),
    }
    names = {"noun": "category", "line": "model"}
    return render(str(rnd.choice(pool.DESC_OPENERS)), slots, names)


def _attr_sentence(
    product: Product, attr: str, pool: ModuleType, rnd: random.Random
) -> tuple[str, list[Fact]]:
    value = product.attrs[attr]
    surface = value_surface(attr, value, product.nums.get(attr), pool, rnd)
    templates = pool.DESC_ATTR.get(attr) or pool.DESC_GENERIC
    if rnd.random() < 0.25:
        templates = pool.DESC_GENERIC
    slots: dict[str, tuple[str, str | None]] = {
        "v": (surface, value),
        "label": (pool.LABELS[attr], None),
    }
    return render(str(rnd.choice(templates)), slots, {"v": attr})


def description(product: Product, pool: ModuleType, rnd: random.Random) -> tuple[str, list[Fact]]:
    """Opener (brand, category, model) + most attributes in random order + optional closer."""
    pieces = [_opener(product, pool, rnd)]
    attrs = list(product.attrs)
    rnd.shuffle(attrs)
    pieces.extend(_attr_sentence(product, a, pool, rnd) for a in attrs if rnd.random() < 0.85)
    pieces.append((str(rnd.choice(pool.DESC_CLOSERS)), []))
    return join_sentences(pieces, rnd)
