"""``stated_attributes``: what entity resolution reads back from the text extraction's links."""

from __future__ import annotations

from extraction.enrich import stated_attributes
from graph.records import RelRecord


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
