"""User-level risk: a noisy-OR of the account's evidence, each term a reason with its impact."""

from __future__ import annotations

import pytest

from api.user_risk import CHARGEBACK, SHARED_WEIGHT, user_risk


def _stored(_: str, stored: float | None) -> float | None:
    return stored


def test_a_new_account_with_no_evidence_scores_zero_without_reasons() -> None:
    assert user_risk([], [], _stored, _stored) == (0.0, [])


def test_own_orders_and_chargebacks_combine_as_noisy_or() -> None:
    orders = [{"key": "o1", "risk": 0.2, "chargeback": False},
              {"key": "o2", "risk": 0.6, "chargeback": True}]  # fmt: skip
    score, reasons = user_risk(orders, [], _stored, _stored)
    assert score == pytest.approx(1 - (1 - 0.6) * (1 - CHARGEBACK))
    assert [r.kind for r in reasons] == ["Chargeback", "Order"]  # larger impact first
    assert reasons[1].node == "o2" and reasons[1].chargebacks == 1
    assert reasons[0].impact == pytest.approx(score - 0.6)


def test_linked_accounts_count_by_identifier_weighted_by_the_link_score() -> None:
    linked = [
        {"user": "v1", "relation": "USED_CARD", "kind": "Card", "node": "card:x", "link": None,
         "chargebacks": 1, "orders": [{"key": "v1o", "risk": 0.1}]},
        {"user": "v2", "relation": "USED_CARD", "kind": "Card", "node": "card:x", "link": None,
         "chargebacks": 0, "orders": [{"key": "v2o", "risk": 0.3}]},
        {"user": "v3", "relation": "HAS_ADDRESS", "kind": "Address", "node": "address:y",
         "link": 0.2, "chargebacks": 0, "orders": [{"key": "v3o", "risk": 0.5}]},
    ]  # fmt: skip
    score, reasons = user_risk([], linked, _stored, _stored)
    card = SHARED_WEIGHT * CHARGEBACK  # the riskiest account behind the card: a chargeback
    address = 0.2 * 0.5
    assert score == pytest.approx(1 - (1 - card) * (1 - address))
    by_node = {r.node: r for r in reasons}
    assert by_node["card:x"].other_users == 2 and by_node["card:x"].chargebacks == 1
    assert by_node["address:y"].relation == "HAS_ADDRESS"


def test_live_scores_override_the_stored_ones() -> None:
    orders = [{"key": "o1", "risk": None, "chargeback": False}]
    linked = [{"user": "v", "relation": "USED_DEVICE", "kind": "Device", "node": "device:d",
               "link": None, "chargebacks": 0,
               "orders": [{"key": "vo", "risk": None}]}]  # fmt: skip
    live = {"o1": 0.3, "vo": 0.8}
    score, _ = user_risk(
        orders, linked, lambda k, s: live.get(k, s), lambda other, s: 1.0 if other == "v" else s
    )
    assert score == pytest.approx(1 - (1 - 0.3) * (1 - 0.8))
