"""The records of an order scored online, as ingestion would write them (no server)."""

from datetime import UTC, datetime

import pytest

from cartograph.errors import ConflictError
from graph.orders import ScoredOrder, _create, order_records

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


class _Tx:
    """Records the statements of one transaction; the create answers ``created``."""

    def __init__(self, created: int) -> None:
        self.created, self.queries = created, []  # type: list[str]

    def run(self, query: str, **params: object) -> "_Tx":
        self.queries.append(query)
        return self

    def single(self) -> dict[str, int]:
        return {"created": self.created}

    def consume(self) -> None:
        return None


def test_a_stored_key_is_refused_before_anything_is_linked() -> None:
    nodes, rels = order_records(_order())
    tx = _Tx(created=0)
    with pytest.raises(ConflictError):
        _create(tx, nodes, rels)  # type: ignore[arg-type]
    assert len(tx.queries) == 1 and "CREATE (o:Order" in tx.queries[0]
    code = [line for line in tx.queries[0].splitlines() if not line.startswith("//")]
    assert not [line for line in code if "MERGE" in line]  # creates, never merges
    fresh = _Tx(created=1)
    _create(fresh, nodes, rels)  # type: ignore[arg-type]
    assert len(fresh.queries) == 1 + (len(nodes) - 1) + len(rels)
