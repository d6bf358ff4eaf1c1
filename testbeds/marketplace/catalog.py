"""The canonical product catalogue and its listings on the web shop and the marketplace.

Canonical products are the truth that product matching must recover: model-named products come
in variants (a phone model in several colours and capacities), accessories are compatible with
specific models (a case "for Zentek Aero 5"), and each product is listed on one or both sites,
sometimes twice on the marketplace by different sellers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from .config import DAY, MARKETPLACE, START_TS, WEBSHOP
from .taxonomy import (
    BRANDS,
    CATEGORIES,
    CHOICES,
    COLOURS,
    LINES,
    MATERIALS,
    MODEL_SERIES,
    MODEL_SUFFIX,
    NUMERIC,
    STORAGE_GB,
)


@dataclass(slots=True)
class Product:
    """A canonical product with normalised attributes and latent popularity/quality."""

    idx: int
    cid: str
    category: int
    brand: int
    line: str  # model name ("Aero 5 Pro") or product line ("Trail Runner")
    attrs: dict[str, str]  # attribute -> normalised value
    nums: dict[str, float]  # attribute -> number in base unit (for unit rendering)
    price_eur: float
    popularity: float
    quality: float
    compat: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        """How people refer to the product: brand plus model/line."""
        return f"{BRANDS[self.brand][0]} {self.line}"


@dataclass(slots=True)
class Listing:
    """One product page: a web shop product row or a marketplace listing."""

    platform: int
    product: int
    seller: int  # marketplace seller index, -1 on the web shop
    created: int
    raw_id: str = ""
    price: float = 0.0  # in ``currency``; marketplace sellers set their own price
    currency: str = "EUR"


@dataclass
class Catalog:
    """Products, listings and the lookups the behaviour and text code need."""

    products: list[Product]
    listings: list[Listing] = field(default_factory=list)
    by_platform: dict[int, dict[int, list[int]]] = field(default_factory=dict)  # plat->prod->lst
    name_groups: dict[str, tuple[int, ...]] = field(default_factory=dict)
    category_names: dict[int, list[str]] = field(default_factory=dict)  # distinct, first-seen

    def listing_for(self, platform: int, product: int, rnd: random.Random) -> int:
        """A listing of ``product`` on ``platform`` (random seller when there are several)."""
        options = self.by_platform[platform][product]
        return options[0] if len(options) == 1 else rnd.choice(options)

    def available(self, platform: int, product: int) -> bool:
        """Whether the product can be bought on the platform at all."""
        return product in self.by_platform[platform]


def _brands_for(cat_key: str) -> list[int]:
    return [i for i, (_, cats) in enumerate(BRANDS) if cat_key in cats]


def _price(median: float, sigma: float, gen: np.random.Generator) -> float:
    """Lognormal price rounded to shop-style endings (x.99 above 10 EUR, x.x9 below)."""
    p = median * math.exp(sigma * float(gen.standard_normal()))
    return round(max(round(p), 2) - 0.01, 2) if p > 10 else round(max(p, 1.0), 1) - 0.01


def _draw_attr(cat: int, name: str, rnd: random.Random) -> tuple[str, float | None]:
    """A canonical (value, number) pair for one attribute of a non-variant product."""
    key = CATEGORIES[cat].key
    if name == "colour":
        return rnd.choice(COLOURS), None
    if name == "material":
        return rnd.choice(MATERIALS[key]), None
    if name == "storage":
        gb = rnd.choice(STORAGE_GB[key])
        return f"{gb}GB", float(gb)
    spec = NUMERIC.get(name) or NUMERIC.get(f"{name}:{key}")
    if spec:
        unit, values = spec
        n = rnd.choice(values)
        return f"{n}{unit}", float(n)
    return rnd.choice(CHOICES[name]), None


def _new_product(
    cat: int,
    brand: int,
    line: str,
    gen: np.random.Generator,
    rnd: random.Random,
    products: list[Product],
) -> Product:
    """Append a product with fresh attribute draws; callers override variant attributes."""
    attrs: dict[str, str] = {}
    nums: dict[str, float] = {}
    for a in CATEGORIES[cat].attrs:
        if a == "compat":
            continue
        value, num = _draw_attr(cat, a, rnd)
        attrs[a] = value
        if num is not None:
            nums[a] = num
    c = CATEGORIES[cat]
    p = Product(
        len(products),
        f"CP{len(products) + 1:06d}",
        cat,
        brand,
        line,
        attrs,
        nums,
        _price(c.median_eur, c.price_sigma, gen),
        0.0,
        float(gen.standard_normal()),
    )
    products.append(p)
    return p


def _model_products(
    cat: int, n: int, gen: np.random.Generator, rnd: random.Random, products: list[Product]
) -> None:
    """Model-named categories: models with 1-4 variants differing in colour/capacity."""
    brands = _brands_for(CATEGORIES[cat].key)
    made, seen = 0, set()
    while made < n:
        brand = rnd.choice(brands)
        line = f"{rnd.choice(MODEL_SERIES)} {rnd.randint(2, 15)} {rnd.choice(MODEL_SUFFIX)}".strip()
        if (brand, line) in seen:
            continue
        seen.add((brand, line))
        base = _new_product(cat, brand, line, gen, rnd, products)
        base.attrs.pop("connector", None)
        if "connector" in CATEGORIES[cat].attrs:
            base.attrs["connector"] = "novalink" if BRANDS[brand][0] == "Novaphone" else "usb-c"
        made += 1
        for _ in range(min(rnd.choice((0, 1, 1, 2, 3)), n - made)):
            v = _new_product(cat, brand, line, gen, rnd, products)
            v.attrs = dict(base.attrs)
            v.nums = dict(base.nums)
            v.attrs["colour"] = rnd.choice(COLOURS)
            if "storage" in v.attrs:
                gb = rnd.choice(STORAGE_GB[CATEGORIES[cat].key])
                v.attrs["storage"], v.nums["storage"] = f"{gb}GB", float(gb)
            step = math.log2(v.nums.get("storage", 1) / base.nums.get("storage", 1))
            v.price_eur = round(max(base.price_eur * (1 + 0.12 * step), 5.0), 0) - 0.01
            made += 1


def _plain_products(
    cat: int, n: int, gen: np.random.Generator, rnd: random.Random, products: list[Product]
) -> None:
    """Other categories: one product per (brand, line, attribute draw)."""
    key = CATEGORIES[cat].key
    brands = _brands_for(key)
    for _ in range(n):
        p = _new_product(cat, rnd.choice(brands), rnd.choice(LINES[key]), gen, rnd, products)
        if key == "charger" and BRANDS[p.brand][0] == "Novaphone":
            p.attrs["connector"] = "novalink"
        elif key == "charger" and p.attrs["connector"] == "novalink":
            p.attrs["connector"] = "usb-c"


def _category_counts(n_products: int) -> list[int]:
    raw = [max(4, round(n_products * c.share)) for c in CATEGORIES]
    raw[1] += n_products - sum(raw)  # cases absorb rounding (the longest-tail category)
    return raw


def _assign_popularity(products: list[Product], gen: np.random.Generator) -> None:
    """Zipf(1.1) popularity within each category over a random rank order."""
    for cat in range(len(CATEGORIES)):
        members = [p for p in products if p.category == cat]
        ranks = gen.permutation(len(members))
        for p, r in zip(members, ranks, strict=True):
            p.popularity = 1.0 / (int(r) + 1) ** 1.1


def _link_accessories(products: list[Product], rnd: random.Random) -> None:
    """Compatibility: cases fit one phone model, chargers a connector, bags a screen size."""
    models: dict[tuple[int, str], list[int]] = {}
    for p in products:
        if CATEGORIES[p.category].key == "phone":
            models.setdefault((p.brand, p.line), []).append(p.idx)
    keys = list(models)
    weights = [sum(products[i].popularity for i in models[k]) for k in keys]
    for p in products:
        key = CATEGORIES[p.category].key
        if key == "case":
            brand, line = rnd.choices(keys, weights)[0]
            p.compat = tuple(models[(brand, line)])
            p.attrs["compat"] = f"{BRANDS[brand][0]} {line}"
        elif key == "charger":
            p.compat = tuple(
                i
                for k in keys
                for i in models[k]
                if products[i].attrs["connector"] == p.attrs["connector"]
            )
        elif key == "laptop_bag":
            size = p.nums["screen"]
            p.compat = tuple(
                q.idx
                for q in products
                if CATEGORIES[q.category].key == "laptop" and size - 1 <= q.nums["screen"] <= size
            )


def _listings(products: list[Product], n_sellers: int, rnd: random.Random) -> list[Listing]:
    """Web shop (75 %) and/or marketplace (60 %, 15 % of those twice); never neither."""
    seller_w = [1.0 / (s + 1) ** 0.9 for s in range(n_sellers)]
    out: list[Listing] = []
    for p in products:
        ws, mp = rnd.random() < 0.75, rnd.random() < 0.6
        if not (ws or mp):
            ws, mp = (True, False) if rnd.random() < 0.55 else (False, True)
        if ws:
            out.append(Listing(WEBSHOP, p.idx, -1, START_TS - rnd.randint(1, 900 * DAY)))
        for _ in range(int(mp) * (2 if rnd.random() < 0.15 else 1)):
            seller = rnd.choices(range(n_sellers), seller_w)[0]
            out.append(Listing(MARKETPLACE, p.idx, seller, START_TS - rnd.randint(1, 700 * DAY)))
    rnd.shuffle(out)
    out.sort(key=lambda lst: lst.created)
    return out


def build_catalog(
    n_products: int, n_sellers: int, gen: np.random.Generator, rnd: random.Random
) -> Catalog:
    """Generate products, compatibility and listings (raw ids are assigned by the caller)."""
    products: list[Product] = []
    for cat, n in enumerate(_category_counts(n_products)):
        maker = _model_products if CATEGORIES[cat].has_model else _plain_products
        maker(cat, n, gen, rnd, products)
    _assign_popularity(products, gen)
    _link_accessories(products, rnd)
    catalog = Catalog(products, _listings(products, n_sellers, rnd))
    for li, lst in enumerate(catalog.listings):
        catalog.by_platform.setdefault(lst.platform, {}).setdefault(lst.product, []).append(li)
    groups: dict[str, list[int]] = {}
    for p in products:
        groups.setdefault(p.name, []).append(p.idx)
    catalog.name_groups = {k: tuple(v) for k, v in groups.items()}
    for p in products:
        names = catalog.category_names.setdefault(p.category, [])
        if p.name not in names:
            names.append(p.name)
    return catalog


def category_shares() -> np.ndarray:
    """Catalogue share per category, the centre of persons' taste distributions."""
    shares = np.array([c.share for c in CATEGORIES])
    return np.asarray(shares / shares.sum())
