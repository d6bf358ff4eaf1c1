"""Product extraction on a tiny hand-written catalogue: vocabulary cleaning, spans, units,
category repair, compatibility and model-level propagation."""

from __future__ import annotations

import pytest

from extraction.nlp.facts import Fact
from extraction.nlp.linking import compatibility_links, propagate_model_attributes
from extraction.nlp.products import ProductExtractor
from extraction.nlp.units import find_quantities, memory_context
from extraction.nlp.vocab import build_vocabulary

ROWS = [
    ("WS-P000001", "Zentek Nova 9 smartphone 128 GB, navy blue", "Zentek", "Electronics > Phones"),
    ("WS-P000002", "phone Zentek Nova 9 - 2 TB - black", "zentek", "Electronics/Phones"),
    ("WS-P000003", "Zentek Edge 5 Plus mobile phone, 64gb", "Zentk", "Phones"),
    ("WS-P000004", "Orbix Edge 10 phone 512GB red, USB-C", "Orbix", "Electronics > Phones"),
    ("WS-P000005", "Orbix Edge 10 smartphone grey", "ORBIX", "Electronics > Phones"),
    ("WS-P000006", "Casetto Slim case for Orbix Edge 10 - silicone", "Casetto", "Phone Cases"),
    ("WS-P000007", "Casetto Grip cover, leather, brown", "Casetto", "Electronics/Phone Cases"),
    ("WS-P000008", "Casetto Wallet phone case - TPU", "Casetto", "Electronics > Phone Cases"),
    ("WS-P000009", "Kettlex Rapid Boil kettle 1,7 l stainless steel", "Kettlex", "Home > Kitchen"),
    ("WS-P000010", "Kettlex Compact electric kettle, glass, 1 L", "Kettlex", "Home/Kitchen"),
    ("WS-P000011", "Kettlex Retro kettle - plastic - red", "", "Kitchen"),
    ("WS-P000012", "Kettlex Vista kettle gray 1000 ml", "Kettlex", "Electronics > Phones"),
    ("WS-P000013", "Basique Crew Neck tee - Size M - organic cotton", "Basique", "T-Shirts"),
    ("WS-P000014", "Basique V-Neck t-shirt XL, cotton, white", "Basique", "Fashion/T-Shirts"),
    ("WS-P000015", "Basique Essential Tee t-shirt S - linen", "Basique", "Fashion > T-Shirts"),
    ("WS-P000016", "Basique Crew Neck tee, navy", "Basqiue", "T-Shirts"),
]  # fmt: skip


@pytest.fixture(scope="module")
def extractor() -> ProductExtractor:
    rows = [{"product_id": a, "title": b, "brand": c, "category": d} for a, b, c, d in ROWS]
    return ProductExtractor.from_catalogue(rows)


def _facts(extractor: ProductExtractor, title: str, desc: str | None = None) -> dict[str, Fact]:
    facts = extractor.extract([("MP-Ltest", title, desc)])
    return {(f.name if f.kind == "attribute" else f.kind): f for f in facts}


def test_vocabulary_cleans_casing_typos_and_paths() -> None:
    vocab = build_vocabulary({"brand": c, "category": d} for _, _, c, d in ROWS)
    assert set(vocab.brands) == {"Zentek", "Orbix", "Casetto", "Kettlex", "Basique"}
    assert vocab.canonical_brand("zentk") == "Zentek"
    assert vocab.canonical_brand("BASQIUE") == "Basique"  # a swapped pair is one edit
    assert vocab.canonical_leaf("electronics/phones") == "Phones"
    assert vocab.category_path("Kitchen") == "Home > Kitchen"


def test_brand_and_attribute_spans_point_at_the_words(extractor: ProductExtractor) -> None:
    title = "Kettlex Compact electric kettle"
    desc = "Discover the Compact kettle from Kettlex. Capacity: 1.7 L. Colour: navy blue."
    facts = _facts(extractor, title, desc)
    brand = facts["brand"]
    assert (brand.value, brand.field, title[brand.start : brand.end]) == (
        "Kettlex",
        "title",
        "Kettlex",
    )
    volume = facts["volume"]
    assert volume.value == "1700ml"
    assert desc[volume.start : volume.end] == "1.7 L"
    colour = facts["colour"]
    assert (colour.value, desc[colour.start : colour.end]) == ("navy", "navy blue")
    assert facts["category"].value == "Home > Kitchen"


def test_misspelt_brand_in_text_is_found(extractor: ProductExtractor) -> None:
    facts = _facts(extractor, "Best Price Ketlex Compact kettle 1500ml")
    assert facts["brand"].value == "Kettlex"
    assert facts["brand"].method == "rule"
    assert facts["volume"].value == "1500ml"


def test_units_are_normalised() -> None:
    found = {
        (q.kind, q.value) for q in find_quantities('2 TB, 0,5 L, 250 gr, 65w, 15", EU size 43')
    }
    assert {("storage", "2000GB"), ("volume", "500ml"), ("weight", "250g")} <= found
    assert {("power", "65W"), ("screen", "15in"), ("shoe_size", "EU 43")} <= found
    text = "Storage - 512GB. RAM - 16GB."
    assert memory_context(text, 10, 15) == "storage"
    assert memory_context(text, 24, 28) == "ram"


def test_only_attributes_of_the_category_are_kept(extractor: ProductExtractor) -> None:
    facts = _facts(extractor, "Basique Crew Neck tee - Size L - cotton, black, 2 TB")
    assert (facts["size"].value, facts["material"].value, facts["colour"].value) == (
        "L",
        "cotton",
        "black",
    )
    assert "storage" not in facts  # T-shirts have no storage


def test_wrong_category_column_is_overruled_by_the_words(extractor: ProductExtractor) -> None:
    facts = {f.kind: f for f in extractor.extract([("WS-P000012", ROWS[11][1], None)])}
    assert facts["category"].value == "Home > Kitchen"  # the column said Phones


def test_compatibility_and_model_level_propagation(extractor: ProductExtractor) -> None:
    records = [(a, b, None) for a, b, _, _ in ROWS]
    facts = extractor.extract(records)
    case = {
        f.name: f.value for f in facts if f.source_key == "WS-P000006" and f.kind == "attribute"
    }
    assert case["compat"] == "Orbix Edge 10"
    phone = {
        f.name: f.value for f in facts if f.source_key == "WS-P000005" and f.kind == "attribute"
    }
    assert phone["model"] == "Edge 10"
    propagated = propagate_model_attributes(facts)
    assert any(
        f.source_key == "WS-P000005" and (f.name, f.value) == ("connector", "usb-c")
        for f in propagated
    )
    links = {(f.source_key, f.value) for f in compatibility_links(facts + propagated)}
    assert {("WS-P000006", "WS-P000004"), ("WS-P000006", "WS-P000005")} <= links


def test_a_catalogue_without_categories_is_a_clear_error() -> None:
    from cartograph.errors import ConfigError

    with pytest.raises(ConfigError, match="E160"):
        ProductExtractor.from_catalogue(
            [{"product_id": "X", "title": "t", "brand": "B", "category": ""}]
        )
