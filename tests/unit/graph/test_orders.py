"""The records of an order scored online, as ingestion would write them (no server)."""

from datetime import UTC, datetime

from graph.orders import ScoredOrder, order_records

AT = datetime(2025, 6, 1, 12, tzinfo=UTC)


def _order(**changes: object) -> ScoredOrder:
    base: dict[str, object] = {
        "key": "api:O-1", "user": "webshop:C1", "at": AT, "total": 12.5, "risk_score": 0.7,
        "risk_model": "fraud/v1", "items": [("webshop:P1", 2)],
        "identifiers": {"Card": "card:x", "Address": "address:y"}, "email": "email:z",
        "platform": "webshop", "channel": "app", "ship_country": "GB",
    }  # fmt: skip
    return ScoredOrder(**{**base, **changes})  # type: ignore[arg-type]


def test_order_identifiers_and_account_links() -> None:
    nodes, rels = order_records(_order())
    by_label = {n.label: n for n in nodes}
    assert by_label["Order"].props == {
        "created_at": AT, "total": 12.5, "risk_score": 0.7, "risk_model": "fraud/v1",
        "platform": "webshop", "channel": "app",
    }  # fmt: skip
    assert by_label["User"].props == {}  # an existing account is left as it is
    assert by_label["Address"].props == {"country": "GB"}
    assert {(r.type, r.start_key, r.end_key) for r in rels} == {
        ("PLACED", "webshop:C1", "api:O-1"),
        ("CONTAINS", "api:O-1", "webshop:P1"),
        ("PAID_WITH", "api:O-1", "card:x"),
        ("USED_CARD", "webshop:C1", "card:x"),
        ("SHIPPED_TO", "api:O-1", "address:y"),
        ("HAS_EMAIL", "webshop:C1", "email:z"),
    }
    assert next(r for r in rels if r.type == "CONTAINS").props == {"quantity": 2}


def test_a_new_account_gets_its_creation_time_and_platform() -> None:
    nodes, _ = order_records(_order(new_user=True, email=None, channel=None))
    user = next(n for n in nodes if n.label == "User")
    assert user.props == {"created_at": AT, "platform": "webshop"}
    assert "channel" not in next(n for n in nodes if n.label == "Order").props
    assert all(n.label != "Email" for n in nodes)
