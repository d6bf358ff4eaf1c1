"""Facts -> graph records: keys, relationship types, provenance properties, document labels."""

from __future__ import annotations

from extraction.nlp.facts import Fact, facts_to_records, platform_key


def _f(label: str, key: str, kind: str, name: str, value: str, **kw: object) -> Fact:
    base: dict[str, object] = {
        "field": "title",
        "start": 0,
        "end": 4,
        "confidence": 0.9,
        "method": "rule",
    }
    base.update(kw)
    return Fact(label, key, kind, name, value, **base)  # type: ignore[arg-type]


def test_platform_keys() -> None:
    assert platform_key("WS-P000001") == "webshop:WS-P000001"
    assert platform_key("MP-Lab12") == "marketplace:MP-Lab12"
    assert platform_key("MP-7aeba3aede36") == "marketplace:MP-7aeba3aede36"
    assert platform_key("TCK-0000001") == "ticket:TCK-0000001"


def test_product_facts_become_brand_category_and_attribute_links() -> None:
    facts = [
        _f("Product", "WS-P000001", "brand", "brand", "Zentek"),
        _f(
            "Product",
            "WS-P000001",
            "category",
            "category",
            "Electronics > Phones",
            method="classifier",
        ),
        _f("Product", "WS-P000001", "attribute", "storage", "2000GB", start=None, end=None),
        _f("Product", "WS-P000002", "compatible_with", "compat", "MP-Lab12", field=None),
    ]
    nodes, rels = facts_to_records(facts)
    by_key = {(n.label, n.key): dict(n.props) for n in nodes}
    assert by_key[("Brand", "Zentek")] == {"name": "Zentek"}
    assert by_key[("Category", "Electronics > Phones")] == {"name": "Phones"}
    assert by_key[("Category", "Electronics")] == {"name": "Electronics"}
    assert by_key[("Attribute", "storage=2000GB")] == {"name": "storage", "value": "2000GB"}
    assert by_key[("Product", "webshop:WS-P000001")] == {}
    got = {(r.type, r.start_key, r.end_key): dict(r.props) for r in rels}
    made_by = got[("MADE_BY", "webshop:WS-P000001", "Zentek")]
    assert made_by == {"confidence": 0.9, "method": "rule", "field": "title", "start": 0, "end": 4}
    attr = got[("HAS_ATTRIBUTE", "webshop:WS-P000001", "storage=2000GB")]
    assert "start" not in attr and None not in attr.values()
    assert ("SUBCATEGORY_OF", "Electronics > Phones", "Electronics") in got
    assert ("IN_CATEGORY", "webshop:WS-P000001", "Electronics > Phones") in got
    assert ("COMPATIBLE_WITH", "webshop:WS-P000002", "marketplace:MP-Lab12") in got


def test_document_labels_are_node_properties() -> None:
    facts = [
        _f(
            "Ticket",
            "TCK-1",
            "intent",
            "refund_request",
            "refund_request",
            field=None,
            start=None,
            end=None,
            confidence=0.8,
        ),
        _f("Ticket", "TCK-1", "order_ref", "webshop", "WS-O000123", field="body", start=5, end=15),
        _f(
            "Review", "WS-R1", "sentiment", "negative", "negative", field=None, start=None, end=None
        ),
        _f("Review", "WS-R1", "aspect", "price", "negative", field="text"),
        _f("Review", "WS-R1", "aspect", "delivery", "positive", field="text"),
        _f("Review", "WS-R1", "mentions", "Linnea Cloud", "WS-P000009", field="text"),
    ]
    nodes, rels = facts_to_records(facts)
    by_key = {(n.label, n.key): dict(n.props) for n in nodes}
    assert by_key[("Ticket", "ticket:TCK-1")] == {
        "intent": "refund_request",
        "intent_confidence": 0.8,
    }
    review = by_key[("Review", "webshop:WS-R1")]
    assert review["sentiment"] == "negative"
    assert review["aspects"] == ["delivery", "price"]
    assert review["aspect_sentiments"] == ["delivery:positive", "price:negative"]
    types = {(r.type, r.start_label, r.end_label, r.end_key) for r in rels}
    assert ("REFERS_TO", "Ticket", "Order", "webshop:WS-O000123") in types
    assert ("MENTIONS", "Review", "Product", "webshop:WS-P000009") in types


def test_one_relationship_per_pair_keeps_the_most_confident() -> None:
    facts = [
        _f("Product", "WS-P1", "attribute", "colour", "red", confidence=0.5, start=10, end=13),
        _f("Product", "WS-P1", "attribute", "colour", "red", confidence=0.9, start=0, end=3),
    ]
    _, rels = facts_to_records(facts)
    assert len(rels) == 1 and rels[0].props["start"] == 0
