"""What entity resolution reads back from the text stage: stated attributes, title vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from extraction.enrich import entity_resolution, stated_attributes
from extraction.transform import Extracted
from graph.records import NodeRecord, RelRecord


def test_stated_attributes_keep_stated_values_and_category_only() -> None:
    rels = [
        RelRecord("HAS_ATTRIBUTE", "Product", "webshop:WS-P1", "Attribute", "colour=red",
                  {"method": "rule"}),
        RelRecord("HAS_ATTRIBUTE", "Product", "webshop:WS-P1", "Attribute", "screen=6.1 in",
                  {"method": "propagated"}),
        RelRecord("IN_CATEGORY", "Product", "webshop:WS-P1", "Category", "Electronics > Phones",
                  {"method": "classifier"}),
        RelRecord("HAS_ATTRIBUTE", "Review", "webshop:WS-R1", "Attribute", "colour=blue",
                  {"method": "rule"}),
        RelRecord("PLACED", "User", "webshop:WS-C1", "Order", "webshop:WS-O1"),
    ]  # fmt: skip
    assert stated_attributes(rels) == {
        "webshop:WS-P1": {"colour": "red", "category": "Electronics > Phones"}
    }


def _product(platform: str, title: str, price: float, brand: str | None = None) -> NodeRecord:
    props: dict[str, Any] = {"platform": platform, "title": title, "price": price,
                             "price_currency": "EUR"}  # fmt: skip
    if brand:
        props["brand_listed"] = brand
    return NodeRecord("Product", f"{platform}:{title[:12]}-{price}", props)


CATALOGUE = [
    _product("webshop", "Zentek Aero 5 Pro smartphone 128GB - dark blue", 699.99, "Zentek"),
    _product("marketplace", "ZENTEK Aero 5 Pro 128 GB dark blue, new", 689.0),
    _product("webshop", "Zentek Dock 30W charger", 24.99, "Zentek"),
    _product("marketplace", "Zentek Dock 30 W charger white", 24.5),
    _product("webshop", "Aquaro Classic water bottle 1 l", 21.99, "Aquaro"),
    _product("webshop", "Aquaro Sport bottle, 500 ml", 18.99, "Aquaro"),
]


def test_entity_resolution_reuses_the_text_stage_title_vectors() -> None:
    """Titles the text stage already encoded (``Product.embedding``) are matched on those
    vectors and not stored again; the links are the ones a run that encodes every title makes."""
    enrich = entity_resolution()
    alone_nodes, alone_links, alone = enrich(Extracted(nodes=list(CATALOGUE)))
    assert alone["product_embeddings"] == len(CATALOGUE) and alone["title_vectors_reused"] == 0
    assert alone["product_links"] >= 1  # the tiny catalogue has matches to reproduce
    vectors = {n.key: n for n in alone_nodes}
    stored = [vectors[p.key] for p in CATALOGUE[:4]]  # as the text stage emits them
    nodes, links, summary = enrich(Extracted(nodes=[*CATALOGUE, *stored]))
    assert summary["title_vectors_reused"] == 4
    assert sorted(n.key for n in nodes) == sorted(p.key for p in CATALOGUE[4:])
    for node in nodes:  # the same vectors, up to float noise from a different batch
        assert np.allclose(node.props["embedding"], vectors[node.key].props["embedding"], atol=1e-5)
    assert sorted(links, key=repr) == sorted(alone_links, key=repr)
