"""Tickets: order references in every format, resolved only to orders that exist; intents of
clear requests (rules, zero-shot and the self-trained classifier together)."""

from __future__ import annotations

import pytest

from extraction.nlp.intent import rule_labels
from extraction.nlp.orders import OrderResolver
from extraction.nlp.tickets import TicketExtractor

KNOWN = ["WS-O000123", "WS-O000042", "WS-O010115", "MP-7aeba3aede36", "MP-000000000042"]


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        ("Where is order #WS-O000123?", "webshop", "WS-O000123"),
        ("my order WS-O000123 has not arrived", None, "WS-O000123"),
        ("Please refund ord. 000123.", None, "WS-O000123"),
        ("order no. 123 never came", "webshop", "WS-O000123"),
        ("ws-o 123 is broken", None, "WS-O000123"),
        ("MP order 7aeba3aede36 was damaged", None, "MP-7aeba3aede36"),
        ("MP-7AEBA3AEDE36 contained the wrong item", "webshop", "MP-7aeba3aede36"),
        ("about 7aeba3aede36 please", "marketplace", "MP-7aeba3aede36"),
    ],
)
def test_order_reference_formats(text: str, source: str | None, expected: str) -> None:
    refs = OrderResolver(KNOWN).find(text, source)
    assert [r.order_id for r in refs] == [expected]
    assert refs[0].confidence > 0.5


def test_unknown_or_unrelated_numbers_are_not_orders() -> None:
    resolver = OrderResolver(KNOWN)
    assert resolver.find("Please refund order WS-O999999.", "webshop") == []
    assert resolver.find("I live at 10115 Berlin, call 0301234567", None) == []  # no order word
    assert resolver.find("MP order 7aeba3aede99 is missing", None) == []
    assert resolver.find("I bought 2 items", None) == []


def test_source_platform_breaks_a_tie_between_readings() -> None:
    resolver = OrderResolver(KNOWN)
    # "000000000042" is both a marketplace id and web-shop order number 42.
    shop = resolver.find("order 000000000042", "webshop")
    market = resolver.find("order 000000000042", "marketplace")
    assert [r.order_id for r in shop] == ["WS-O000042"]
    assert [r.order_id for r in market] == ["MP-000000000042"]
    assert resolver.find("order 000000000042", None)[0].confidence < 0.6


def test_span_and_field_of_an_order_fact() -> None:
    ex = TicketExtractor(KNOWN)
    body = "Hi, I never received order #WS-O000123. Thanks"
    facts = ex.order_refs([("TCK-1", "webshop", "Missing parcel", body)])
    assert len(facts) == 1
    f = facts[0]
    assert (f.kind, f.value, f.field, body[f.start : f.end]) == (
        "order_ref", "WS-O000123", "body", "WS-O000123"
    )  # fmt: skip


def test_rules_on_clear_requests() -> None:
    assert rule_labels("My account was hacked, I did not place this order") == ["account_hacked"]
    assert rule_labels("Please change the delivery address for my order") == ["change_address"]
    assert rule_labels("I have a question about my order") == ["other"]
    assert rule_labels("Hello there") == []


CLEAR = [
    ("T1", "Order not received", "Hi, I never received my order. Regards", "item_not_received"),
    ("T2", "Missing parcel", "Where is my parcel? Still nothing.", "item_not_received"),
    ("T3", "Refund", "Please refund my order, I want my money back.", "refund_request"),
    ("T4", "Refund request", "I would like a refund for this purchase.", "refund_request"),
    ("T5", "Wrong item", "I received the wrong item in my parcel.", "wrong_item"),
    ("T6", "Wrong product", "The box contained a different product than I ordered.", "wrong_item"),
    ("T7", "Account hacked", "Someone logged into my account and placed orders.", "account_hacked"),
    ("T8", "Unauthorised", "My account was hacked, I did not place this order.", "account_hacked"),
    ("T9", "Address change", "Please change the delivery address for my order.", "change_address"),
    ("T10", "New address", "Can I update the shipping address of my order?", "change_address"),
    ("T11", "Damaged", "The item arrived damaged, the screen is cracked.", "damaged_item"),
    ("T12", "Broken", "My order was broken on arrival.", "damaged_item"),
    ("T13", "Question", "I have a question about my order.", "other"),
    ("T14", "Enquiry", "Do you ship to Switzerland?", "other"),
]  # fmt: skip


@pytest.mark.slow
def test_intent_of_clear_examples() -> None:
    ex = TicketExtractor(KNOWN, seed=0)
    facts = ex.intents([(tid, None, subject, body) for tid, subject, body, _ in CLEAR])
    got = {f.source_key: f.name for f in facts}
    assert got == {tid: label for tid, _, _, label in CLEAR}
    assert all(0.0 < f.confidence <= 1.0 and f.start is None for f in facts)
