"""Product choice sets: what can be bought where, with popularity for inverse-CDF sampling.

Built once per run from the catalogue and shared by the legitimate behaviour and the fraud
schemes (which must only buy what is actually on sale on their platform).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import Catalog
from .config import MARKETPLACE, WEBSHOP
from .taxonomy import CATEGORIES

N_CAT = len(CATEGORIES)


@dataclass
class Choice:
    """Products to choose from, with cumulative popularity weights for inverse-CDF sampling."""

    products: np.ndarray
    cdf: np.ndarray

    def draw(self, u: float) -> int:
        """Product for a uniform draw u in [0, 1)."""
        return int(self.products[min(int(np.searchsorted(self.cdf, u)), len(self.cdf) - 1)])


def _choice(products: list[int], catalog: Catalog) -> Choice:
    w = np.array([catalog.products[p].popularity for p in products], dtype=np.float64)
    return Choice(np.array(products, dtype=np.int32), np.cumsum(w / w.sum()))


def tier_choices(catalog: Catalog) -> dict[tuple[int, int, int], Choice]:
    """(platform, category, price tercile) -> products on sale there; empty tiers fall back."""
    out: dict[tuple[int, int, int], Choice] = {}
    for plat in (WEBSHOP, MARKETPLACE):
        for cat in range(N_CAT):
            members = sorted(
                (p.price_eur, p.idx)
                for p in catalog.products
                if p.category == cat and catalog.available(plat, p.idx)
            )
            ids = [i for _, i in members]
            for tier in range(3):
                part = ids[tier * len(ids) // 3 : (tier + 1) * len(ids) // 3] or ids
                out[(plat, cat, tier)] = _choice(part, catalog)
    return out


def brand_choices(catalog: Catalog) -> dict[tuple[int, int, int], Choice]:
    """(platform, category, brand) -> that brand's products on sale there."""
    groups: dict[tuple[int, int, int], list[int]] = {}
    for plat in (WEBSHOP, MARKETPLACE):
        for p in catalog.products:
            if catalog.available(plat, p.idx):
                groups.setdefault((plat, p.category, p.brand), []).append(p.idx)
    return {k: _choice(v, catalog) for k, v in groups.items()}


def accessory_choices(catalog: Catalog) -> dict[tuple[int, int, int], Choice]:
    """(platform, main product, accessory category) -> compatible accessories on sale there."""
    groups: dict[tuple[int, int, int], list[int]] = {}
    for acc in catalog.products:
        for plat in (WEBSHOP, MARKETPLACE):
            if acc.compat and catalog.available(plat, acc.idx):
                for main in acc.compat:
                    groups.setdefault((plat, main, acc.category), []).append(acc.idx)
    return {k: _choice(v, catalog) for k, v in groups.items()}
