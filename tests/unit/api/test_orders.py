"""The API side of online order scoring, with a stand-in cleaner: schema → checkout, checkout →
the order the graph stores, and the answer's reasons."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import torch

from api.orders import order_risk, scored_order, to_checkout
from api.schemas import OrderIn
from cartograph.errors import InvalidInputError
from gnn.fraud.online import OnlineScore
from gnn.fraud.online_features import Neighbourhood


class _Cleaner:
    """Keys that show what went in: ``label:value`` (the address as its city)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def key(self, label: str, value: Any) -> str | None:
        self.seen.append(label)
        if value is None:
            return None
        return f"{label.lower()}:{value['city'] if isinstance(value, dict) else value}"

    def country(self, name: str) -> str:
        return {"spain": "ES"}.get(name.lower(), name.upper())


ORDER = OrderIn.model_validate({
    "user": "webshop:WS-C000001", "items": [{"product": "webshop:P1", "quantity": 2}],
    "card_number": "4840 0681 7118 2283", "ip": "84.79.121.165", "channel": "app",
    "address": {"line1": "1 High St", "city": "Leeds", "postcode": "LS1 1AA", "country": "gb"},
    "created_at": "2025-06-01T12:00:00Z",
})  # fmt: skip
SCORE = OnlineScore(
    risk=0.8, features={}, impact={"PAID_WITH": 0.3, "PLACED": 0.1}, neighbours={}, unseen=0,
    states=torch.zeros(1),
)  # fmt: skip


def test_to_checkout_asks_the_cleaner_for_every_identifier() -> None:
    cleaner = _Cleaner()
    c = to_checkout(ORDER, cleaner)
    assert cleaner.seen == ["Card", "Device", "IP", "Address", "Email"]
    assert c.card == "card:4840 0681 7118 2283" and c.device is None and c.email is None
    assert c.ip == "ip:84.79.121.165" and c.address == "address:Leeds"
    assert (c.platform, c.channel, c.ship_country) == ("webshop", "app", "GB")
    assert c.at == datetime(2025, 6, 1, 12, tzinfo=UTC)


def test_a_country_name_is_accepted_and_read_by_the_cleaner() -> None:
    body = ORDER.model_dump(mode="json")
    body["address"]["country"] = "Spain"
    c = to_checkout(OrderIn.model_validate(body), _Cleaner())
    assert c.ship_country == "ES"


def test_a_naive_time_is_refused_before_anything_is_cleaned() -> None:
    cleaner = _Cleaner()
    naive = ORDER.model_copy(update={"created_at": datetime(2025, 6, 1, 12)})
    with pytest.raises(InvalidInputError, match="time zone"):
        to_checkout(naive, cleaner)
    assert cleaner.seen == []


def test_scored_order_prices_the_basket_without_a_total_and_marks_new_accounts() -> None:
    c = to_checkout(ORDER, _Cleaner())
    nb = Neighbourhood([], {"found": False, "products": [{"price": 4.0}, {"price": None}]})
    stored = scored_order("api:O-1", ORDER, c, nb, SCORE, "fraud/v1")
    assert stored.total == 4.0 and stored.new_user and stored.items == [("webshop:P1", 2)]
    assert stored.identifiers == {"Card": c.card, "IP": c.ip, "Address": c.address}
    assert scored_order("k", ORDER, replace(c, total=9.0), nb, SCORE, "m").total == 9.0
    known = replace(nb, account={"found": True, "products": []})
    assert not scored_order("k", ORDER, c, known, SCORE, "m").new_user


def test_order_risk_orders_reasons_by_impact() -> None:
    c = to_checkout(ORDER, _Cleaner())
    ident = {"rel": "PAID_WITH", "kind": "Card", "node": c.card, "users": 3, "has_user": True,
             "known_bad": 1}  # fmt: skip
    nb = Neighbourhood([ident], {"found": True, "tied": ["x", None], "products": []})
    risk = order_risk("api:O-1", c, nb, SCORE, "fraud/v1", "MATCH ...", persisted=False)
    assert [(r.relation, r.other_users, r.impact) for r in risk.reasons] == [
        ("PAID_WITH", 2, 0.3),
        ("PLACED", 1, 0.1),
    ]
    assert risk.browser.query == "checkout_graph" and risk.browser.params["card"] == c.card
    assert risk.risk_score == 0.8 and risk.model == "fraud/v1" and risk.cypher == "MATCH ..."
