"""Product matching on hand-made listings: rewordings merge, variants never do.

A tiny deterministic encoder (character trigram hashing) stands in for the sentence model, so
these tests need no model files; the generated-data test uses the real one.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from cartograph.errors import ConfigError
from extraction.resolve import ProductConfig, matches_to_records, resolve_products
from extraction.resolve.attributes import conflicts, read_facts


class TrigramEncoder:
    """Bag of hashed character trigrams, L2-normalised: similar wording, similar vector."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 512), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()}  "
            for i in range(len(padded) - 2):
                out[row, zlib.crc32(padded[i : i + 3].encode()) % 512] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def _web(title: str, price: float, brand: str = "Zentek") -> dict[str, Any]:
    return {
        "platform": "webshop",
        "title": title,
        "price": price,
        "price_currency": "EUR",
        "brand_listed": brand,
    }


def _market(title: str, price: float, description: str = "", currency: str = "EUR") -> dict:
    return {
        "platform": "marketplace",
        "title": title,
        "description": description,
        "price": price,
        "price_currency": currency,
    }


# Brands need two listings with the same spelling to enter the learnt vocabulary.
CATALOGUE_NOISE = {
    "webshop:WS-P9001": _web("Zentek Dock 30W charger", 24.99),
    "webshop:WS-P9002": _web("Aquaro Classic water bottle 1 l", 21.99, "Aquaro"),
    "webshop:WS-P9003": _web("Aquaro Sport bottle, 500 ml", 18.99, "Aquaro"),
}


def _resolve(listings: dict[str, dict[str, Any]], **kwargs: Any) -> set[tuple[str, str]]:
    matches = resolve_products({**CATALOGUE_NOISE, **listings}, embedder=TrigramEncoder(), **kwargs)
    return {m.pair for m in matches}


def test_same_product_with_different_title_wording_matches() -> None:
    pairs = _resolve(
        {
            "webshop:WS-P0001": _web("Zentek Aero 5 Pro smartphone 128GB - dark blue", 699.99),
            "marketplace:MP-L0001": _market(
                "NEW mobile phone Zentek Aero 5 Pro (128 GB; navy blue)",
                610.0,
                "Meet Zentek's Aero 5 Pro: the phone that keeps up with you. Colour: navy.",
                currency="GBP",
            ),
        }
    )
    assert ("marketplace:MP-L0001", "webshop:WS-P0001") in pairs


def test_variants_differing_in_storage_do_not_match() -> None:
    pairs = _resolve(
        {
            "webshop:WS-P0001": _web("Zentek Aero 5 Pro smartphone 128GB - navy", 699.99),
            "marketplace:MP-L0001": _market("Zentek Aero 5 Pro phone, 256 GB, navy", 700.0),
        }
    )
    assert not any("MP-L0001" in a or "MP-L0001" in b for a, b in pairs)


def test_variants_differing_in_colour_do_not_match() -> None:
    pairs = _resolve(
        {
            "webshop:WS-P0001": _web("Vireo Flex 10 earphones white, in-ear", 89.99, "Vireo"),
            "webshop:WS-P0002": _web("Vireo Flex 10 earphones black, in-ear", 89.99, "Vireo"),
            "marketplace:MP-L0001": _market("Vireo Flex 10 in ear headphones - jet black", 90.0),
        }
    )
    assert ("marketplace:MP-L0001", "webshop:WS-P0002") in pairs
    assert ("marketplace:MP-L0001", "webshop:WS-P0001") not in pairs


def test_model_suffix_and_price_gap_veto() -> None:
    pairs = _resolve(
        {
            "webshop:WS-P0001": _web("Zentek Aero 5 smartphone 128GB", 699.99),
            "marketplace:MP-L0001": _market("Zentek Aero 5 Max smartphone 128GB", 700.0),
            "marketplace:MP-L0002": _market("Zentek Aero 5 smartphone 128 GB", 1400.0),
        }
    )
    assert not any("WS-P0001" in pair for pair in pairs)


def test_marketplace_duplicates_match_and_a_cluster_keeps_one_web_shop_listing() -> None:
    listings = {
        "webshop:WS-P0001": _web("Zentek Aero 5 Pro smartphone 128GB", 699.99),
        "webshop:WS-P0002": _web("Zentek Aero 5 Pro smartphone 128 GB", 699.99),
        "marketplace:MP-L0001": _market("Zentek Aero 5 Pro phone 128GB", 690.0),
        "marketplace:MP-L0002": _market("Zentek Aero 5 Pro phone - 128 GB", 720.0),
    }
    matches = resolve_products(
        {**CATALOGUE_NOISE, **listings}, embedder=TrigramEncoder(), threshold=0.1
    )
    pairs = {m.pair for m in matches}
    assert ("marketplace:MP-L0001", "marketplace:MP-L0002") in pairs
    assert ("webshop:WS-P0001", "webshop:WS-P0002") not in pairs
    clusters: dict[str, set[str]] = {}
    for a, b in sorted(pairs):
        merged = clusters.get(a, {a}) | clusters.get(b, {b})
        for key in merged:
            clusters[key] = merged
    for members in clusters.values():
        assert sum(key.startswith("webshop:") for key in members) <= 1
    records = matches_to_records(matches)
    assert all(r.type == "SAME_AS" and r.start_label == "Product" for r in records)


def test_facts_are_read_in_canonical_units() -> None:
    a = read_facts("Culina kettle 1,5 L - stainless steel, dark blue")
    b = read_facts("Culina Classic water boiler 1500 ml | inox | navy")
    assert a.quantities["ml"] == b.quantities["ml"] == frozenset({1500.0})
    assert a.colours == b.colours == frozenset({"navy"})
    assert conflicts(a, b) == []
    laptop = read_facts("Zentek Core 5 Lite 13 inch, 16 GB RAM, 512GB SSD")
    assert laptop.quantities["gb-small"] == frozenset({16.0})
    assert laptop.quantities["gb-large"] == frozenset({512.0})
    assert ("core", "5", "lite") in laptop.models
    assert conflicts(laptop, read_facts("Zentek Core 5 Pro 13 inch, 16 GB")) == ["model"]
    assert read_facts("Vireo Flex 10 in ear").quantities == {}  # "10 in ear" is no screen


def test_empty_input_and_bad_threshold() -> None:
    assert resolve_products({}, embedder=TrigramEncoder()) == []
    with pytest.raises(ConfigError):
        resolve_products(CATALOGUE_NOISE, threshold=1.5, embedder=TrigramEncoder())
    assert ProductConfig().k > 0


def _twins() -> dict[str, dict[str, Any]]:
    """Two colour variants whose listings read alike except where only extraction looked."""
    return {
        "webshop:WS-P0701": _web("Zentek Aero 7 smartphone 128GB", 499.99),
        "marketplace:MP-L0701": _market("Zentek Aero 7 smartphone 128 GB", 489.0),
    }


def test_extracted_attributes_that_differ_veto_the_pair() -> None:
    """Text extraction read red for one and blue for the other: never one product."""
    extracted = {
        "webshop:WS-P0701": {"colour": "red"},
        "marketplace:MP-L0701": {"colour": "blue"},
    }
    assert ("marketplace:MP-L0701", "webshop:WS-P0701") in _resolve(_twins())
    assert _resolve(_twins(), extracted=extracted) == set()


def test_extracted_attributes_that_agree_or_are_missing_do_not_veto() -> None:
    pair = ("marketplace:MP-L0701", "webshop:WS-P0701")
    same = {"webshop:WS-P0701": {"colour": "red"}, "marketplace:MP-L0701": {"colour": "red"}}
    one_side = {"webshop:WS-P0701": {"colour": "red", "size": "M"}}
    assert pair in _resolve(_twins(), extracted=same)
    assert pair in _resolve(_twins(), extracted=one_side)


def test_brand_blocked_neighbours_equal_a_brute_force_search_over_allowed_pairs() -> None:
    """Within-brand top-k (open rows: against everything) is exactly what a full n x n search
    finds once pairs of two different known brands, which the veto drops anyway, are left out."""
    from extraction.resolve.listings import prepare
    from extraction.resolve.products import nearest_comparisons, nearest_within_brands

    products = {
        **CATALOGUE_NOISE,
        **{f"webshop:WS-P1{i:03d}": _web(f"Zentek Aero {i} phone", 100.0 + i) for i in range(9)},
        **{
            f"webshop:WS-P2{i:03d}": _web(f"Aquaro bottle {i} l", 10.0 + i, "Aquaro")
            for i in range(7)
        },
        "marketplace:MP-L9": _market("bottle or phone, no brand", 12.0),
    }
    listings = prepare(products)
    assert {len(item.brands) for item in listings} == {0, 1}  # both kinds of row are exercised
    rng = np.random.default_rng(7)  # random directions: no ties for top-k to break either way
    vectors = rng.standard_normal((len(listings), 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    k = 3
    got = nearest_within_brands(listings, vectors, k)
    expected: set[tuple[int, int]] = set()
    for i, a in enumerate(listings):
        allowed = [
            j
            for j, b in enumerate(listings)
            if j != i and (len(a.brands) != 1 or len(b.brands) != 1 or a.brands == b.brands)
        ]
        sims = sorted(allowed, key=lambda j: -float(vectors[i] @ vectors[j]))[:k]
        expected.update((min(i, j), max(i, j)) for j in sims)
    assert got == expected
    n = len(listings)
    assert nearest_comparisons(listings) < n * n
