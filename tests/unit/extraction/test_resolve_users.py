"""Customer entity resolution on hand-made profiles: what must merge, and what must never."""

from __future__ import annotations

from typing import Any

import pytest

from cartograph.errors import ConfigError
from extraction.resolve import Match, matches_to_records, resolve_users
from extraction.resolve.people import NameMatch, compare_names, parse_profile
from extraction.resolve.phonetic import soundex
from graph.records import RelRecord

JANE = {
    "name": "Jane Doe",
    "email": "jane.doe@example.com",
    "phone": "+441134960000",
    "address": "GB|LS11AA|leeds|park avenue|74|",
    "postcode": "LS1 1AA",
}


def _profiles(**accounts: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {("User", key.replace("__", ":")): raw for key, raw in accounts.items()}


def _pairs(matches: list[Match]) -> set[tuple[str, str]]:
    return {m.pair for m in matches}


def _rel(kind: str, start: str, end: str, end_label: str) -> RelRecord:
    return RelRecord(kind, "User", start, end_label, end)


def test_typo_in_name_with_same_email_matches() -> None:
    profiles = _profiles(
        webshop__WS_C1=JANE,
        marketplace__MP_U1={"name": "DOE, Jnae", "email": "jane.doe+shop@example.com"},
    )
    matches = resolve_users(profiles, [])
    assert _pairs(matches) == {("marketplace:MP_U1", "webshop:WS_C1")}
    assert matches[0].method == "email+name" and 0.6 <= matches[0].score <= 1.0


def test_nickname_and_initial_with_identifiers_match() -> None:
    profiles = _profiles(
        webshop__WS_C1={**JANE, "name": "William Smith", "email": "ws@example.com"},
        webshop__WS_C2={**JANE, "name": "Bill Smith", "email": "bill77@example.org"},
        marketplace__MP_U1={
            "name": "SMITH, W.",
            "phone": JANE["phone"],
            "address": "|LS11AA|leeds|park av|74|",
        },
    )
    pairs = _pairs(resolve_users(profiles, []))
    assert ("webshop:WS_C1", "webshop:WS_C2") in pairs  # nickname + phone + address
    assert ("marketplace:MP_U1", "webshop:WS_C1") in pairs  # initial + phone + address
    assert ("marketplace:MP_U1", "webshop:WS_C2") not in pairs  # "W." cannot be "Bill"


def test_initial_and_address_alone_stay_below_the_default_threshold() -> None:
    profiles = _profiles(
        webshop__WS_C1=JANE,
        marketplace__MP_U1={"name": "J. Doe", "address": "|LS11AA|leeds|park avenue|74|"},
    )
    assert resolve_users(profiles, []) == []
    assert len(resolve_users(profiles, [], threshold=0.4)) == 1


def test_same_address_different_names_do_not_match() -> None:
    profiles = _profiles(
        webshop__WS_C1=JANE,
        webshop__WS_C2={**JANE, "name": "Tom Baker", "email": "tom@example.com"},
    )
    assert resolve_users(profiles, []) == []


def test_relatives_sharing_home_and_phone_do_not_match() -> None:
    """Same family name, other given name: a relative, unless the very mailbox is shared too."""
    profiles = _profiles(
        webshop__WS_C1=JANE,
        webshop__WS_C2={**JANE, "name": "John Doe", "email": "john.doe@example.com"},
    )
    assert resolve_users(profiles, []) == []


def test_fraud_ring_sharing_devices_cards_and_ips_does_not_match() -> None:
    members = [f"webshop:WS_R{i}" for i in range(5)]
    names = ["Ann Lee", "Bob Marsh", "Carl Ortiz", "Dana Price", "Eve Quinn"]
    profiles = {
        ("User", key): {
            "name": name,
            "email": f"{name.split()[0].lower()}{i}@mail.example",
            "address": "GB|E11AA|london|drop street|1|",
        }
        for i, (key, name) in enumerate(zip(members, names, strict=True))
    }
    rels = [
        _rel(kind, key, f"{label.lower()}:shared", label)
        for key in members
        for kind, label in (
            ("USED_DEVICE", "Device"),
            ("USED_CARD", "Card"),
            ("USED_IP", "IP"),
            ("HAS_ADDRESS", "Address"),
        )
    ]
    assert resolve_users(profiles, rels) == []


def test_shared_device_supports_but_does_not_decide() -> None:
    same_name = {"name": "Jane Doe", "email": "jd1@example.com"}
    profiles = _profiles(webshop__WS_C1=same_name, marketplace__MP_U1={**same_name, "email": ""})
    device = [
        _rel("USED_DEVICE", "webshop:WS_C1", "device:d1", "Device"),
        _rel("USED_DEVICE", "marketplace:MP_U1", "device:d1", "Device"),
    ]
    assert resolve_users(profiles, device) == []  # a name and a browser are not enough


def test_phone_conflict_outweighs_shared_mailbox() -> None:
    profiles = _profiles(
        webshop__WS_C1=JANE,
        marketplace__MP_U1={
            **JANE,
            "phone": "+12125550123",
            "address": "US|10001|new york|main street|5|",
        },
    )
    assert resolve_users(profiles, []) == []


def test_app_account_follows_its_orders() -> None:
    rels = [
        RelRecord("PLACED", "User", "webshop:WS_C1", "Order", "webshop:WS_O1"),
        RelRecord("PLACED", "User", "webshop:WS_C1", "Order", "webshop:WS_O2"),
        RelRecord("PLACED_IN_APP", "User", "app:usr_1", "Order", "webshop:WS_O1"),
        RelRecord("PLACED_IN_APP", "User", "app:usr_1", "Order", "webshop:WS_O2"),
    ]
    matches = resolve_users({}, rels)
    assert [(m.pair, m.score, m.method) for m in matches] == [
        (("app:usr_1", "webshop:WS_C1"), 1.0, "app-order")
    ]


def test_app_device_needs_a_single_web_shop_owner() -> None:
    alone = [
        _rel("USED_DEVICE", "app:usr_1", "device:phone", "Device"),
        _rel("USED_DEVICE", "webshop:WS_C1", "device:phone", "Device"),
    ]
    assert _pairs(resolve_users({}, alone)) == {("app:usr_1", "webshop:WS_C1")}
    assert resolve_users({}, alone, app_device=False) == []
    crowded = [*alone, _rel("USED_DEVICE", "webshop:WS_C2", "device:phone", "Device")]
    assert resolve_users({}, crowded) == []


def test_threshold_is_validated_and_raising_it_drops_weak_pairs() -> None:
    profiles = _profiles(
        webshop__WS_C1=JANE,
        marketplace__MP_U1={"name": "J. Doe", "phone": JANE["phone"], "address": JANE["address"]},
    )
    weak = resolve_users(profiles, [])
    assert len(weak) == 1 and weak[0].score < 0.999
    assert resolve_users(profiles, [], threshold=0.999) == []
    with pytest.raises(ConfigError):
        resolve_users(profiles, [], threshold=0.0)


def test_results_are_deterministic_and_ordered() -> None:
    profiles = _profiles(webshop__WS_C2=JANE, webshop__WS_C1={**JANE, "email": "other@example.com"})
    first = resolve_users(profiles, [])
    assert first == resolve_users(dict(reversed(list(profiles.items()))), [])
    assert all(m.key_a < m.key_b for m in first)


def test_name_comparison_and_soundex() -> None:
    def names(a: str, b: str) -> NameMatch:
        return compare_names(parse_profile("a", {"name": a}), parse_profile("b", {"name": b}))

    assert names("Michael Mueller", "Mike Müller") is NameMatch.EXACT
    assert names("Michael Mueller", "M. Muller") is NameMatch.INITIAL
    assert names("Jessica Wilson", "Jsesica Wilson") is NameMatch.CLOSE
    assert names("Jessica Wilson", "Wilson Jessica") is not NameMatch.NONE  # order swapped
    assert names("Jessica Wilson", "Peter Wilson") is NameMatch.FAMILY
    assert names("Jessica Wilson", "Jessica Brown") is NameMatch.NONE
    assert soundex("Weber") == soundex("Webur") == "w160"


def test_matches_become_same_as_records() -> None:
    records = matches_to_records([Match.of("User", "webshop:b", "app:a", 0.95, "app-order")])
    assert records == [
        RelRecord(
            "SAME_AS", "User", "app:a", "User", "webshop:b", {"score": 0.95, "method": "app-order"}
        )
    ]
    with pytest.raises(ValueError):
        Match("User", "b", "a", 0.5, "x")
    with pytest.raises(ValueError):
        Match("User", "a", "b", 1.5, "x")
