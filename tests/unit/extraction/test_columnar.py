"""The columnar path gives what the per-record path gives, record for record.

``extract_columnar`` (chunks, one cleaner call per distinct value, fast assembly of rows that
cannot fail) must not change a single node, relationship, profile, reject, reason or count of
``extract`` (one cleaner call per field per row). Compared here on awkward hand-made files in
every format (with chunks of 2-3 rows so that the cross-chunk cache and the node merge are used)
and on the generator's messy small data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extraction.columnar import extract_columnar
from extraction.mapping import Mapping, load_mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.rejects import Reject, RejectsWriter, read_rejects
from extraction.transform import Extracted, extract, merge_duplicates
from testbeds.marketplace import generate

ROOT = Path(__file__).resolve().parents[3]
SECRET = Pseudonymiser(b"k" * 32)


def _both(
    mapping: Mapping, tmp_path: Path, chunk_rows: int, pseudonymiser: Pseudonymiser | None = SECRET
) -> tuple[tuple[Extracted, list[Reject]], tuple[Extracted, list[Reject]]]:
    runs = []
    for name in ("rows", "columnar"):
        path = tmp_path / f"rejects-{name}.csv"
        with RejectsWriter(path) as rejects:
            if name == "rows":
                out = extract(mapping, pseudonymiser, rejects)
            else:
                out = extract_columnar(mapping, pseudonymiser, rejects, chunk_rows=chunk_rows)
        runs.append((out, read_rejects(path)))
    return runs[0], runs[1]


def _assert_same(old: tuple[Extracted, list[Reject]], new: tuple[Extracted, list[Reject]]) -> None:
    (a, rejects_a), (b, rejects_b) = old, new
    assert rejects_b == rejects_a  # same rows, reasons and order
    assert b.counts == a.counts
    assert all(c.reconciles() for c in b.counts.values())
    assert b.field_issues == a.field_issues
    assert b.rels == a.rels
    assert b.nodes == merge_duplicates(a.nodes)  # merged as chunks complete
    assert merge_duplicates(b.nodes) == b.nodes
    assert b.profiles == a.profiles
    assert list(b.profiles) == list(a.profiles)


def _write_jsonl(path: Path, rows: list[Any]) -> None:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))


@pytest.fixture
def awkward(tmp_path: Path) -> Mapping:
    """Blanks, whitespace, duplicates, unreadable lines, invalid optional and required values,
    values of mixed types in one column, nested paths and lists with a bad element."""
    (tmp_path / "users.csv").write_bytes(
        b"id,name,email,phone,country,amount,joined,street,city,postcode\n"
        b"1,Ann Lee,ANN@Example.com,020 7946 0018,GB,12,2024-01-02,1 High St,London,SW1A 1AA\n"
        b"1,Ann Lee,ANN@Example.com,020 7946 0018,GB,12,2024-01-02,1 High St,London,SW1A 1AA\n"
        b"2,  bob   smith ,ann@example.com, 020 7946 0018 ,uk,x,2024-13-40,,,\n"
        b"3,Cy,not-an-email,12,FR,7,02/03/2024,9 Rue A,Paris,75001\n"
        b"  ,Dee,dee@example.com,,GB,3,2024-01-02,,,\n"
        b"5,Eve\x00,e@example.com,,GB,4,2024-01-02,,,\n"
        b"6,Fay,\xff\xfe@example.com,,GB,5,2024-01-02,,,\n"
        b"7,Gus,g@example.com\n"
        b"8,Hal,h@example.com,+33 1 23 45 67 89,,,2024-01-02,1 High St,London,SW1A 1AA\n"
        b"9,Ann Lee,ann@example.com,020 7946 0018,GB,12,2024-01-02,1 High St,London,SW1A 1AA\n"
        b"10,,ann@example.com,020 7946 0018,DE,1e400,2024-01-02, 1 high street ,LONDON,sw1a1aa\n"
    )
    _write_jsonl(
        tmp_path / "orders.jsonl",
        [
            {
                "id": "o1",
                "user": 1,
                "total": "12.50",
                "cur": "EUR",
                "ip": "10.0.0.1",
                "card": {"n": "4111 1111 1111 1111"},
                "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": "2"}],
            },
            {
                "id": "o2",
                "user": 1.0,
                "total": 12.5,
                "cur": None,
                "ip": "10.0.0.01",
                "card": {"n": "4111111111111112"},
                "items": [{"sku": "a", "qty": True}, 7],
            },
            {"id": "o3", "user": True, "total": [1, 2], "ip": 3, "card": "n/a", "items": []},
            {
                "id": "o4",
                "user": "1",
                "total": {"a": 1},
                "ip": " 10.0.0.1 ",
                "card": {"n": None},
                "items": [{"sku": ["x"], "qty": 2.0}, {"sku": "b", "qty": -1}],
            },
            "not json",
            {
                "id": "o5",
                "user": None,
                "total": "€1.234,50",
                "cur": "eur",
                "ip": "::1",
                "items": [{"sku": "b", "qty": 10**30}],
            },
            {
                "id": "o1",
                "user": 1,
                "total": "12.50",
                "cur": "EUR",
                "ip": "10.0.0.1",
                "card": {"n": "4111 1111 1111 1111"},
                "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": "2"}],
            },
            {
                "id": "o6",
                "user": 2,
                "total": "1",
                "ip": "x",
                "tags": ["a", 1],
                "items": [{"sku": "c", "qty": 1, "tags": ["p", "q"]}],
            },
        ],
    )
    pq.write_table(
        pa.table(
            {
                "ev": ["e1", "e2", "e3", "e1"],
                "user": ["u1", None, " u1 ", "u1"],
                "kind": ["view", "buy", "view", "view"],
                "n": [1, None, 3, 1],
            }
        ),
        tmp_path / "events.parquet",
    )
    users_nodes = {
        "user": {
            "label": "User",
            "key": "u:{id}",
            "props": {
                "name": {"field": "name", "type": "name"},
                "amount": {"field": "amount", "type": "int", "required": True},
                "joined": {"field": "joined", "type": "datetime"},
            },
            "profile": {
                "email": {"field": "email", "type": "email"},
                "phone": {"field": "phone", "type": "phone", "region_field": "country"},
            },
        },
        "email": {
            "label": "Email",
            "key": {"field": "email", "type": "email", "pseudonymise": "email"},
            "optional": True,
        },
        "phone": {
            "label": "Phone",
            "key": {
                "field": "phone",
                "type": "phone",
                "region_field": "country",
                "default_region": "GB",
                "pseudonymise": "phone",
            },
            "optional": True,
        },
        "address": {
            "label": "Address",
            "key": {
                "components": {
                    "street": "street",
                    "city": "city",
                    "postcode": "postcode",
                    "country": "country",
                },
                "type": "address",
                "pseudonymise": "address",
            },
            "props": {"country": "country"},
            "optional": True,
        },
    }
    order_nodes = {
        "order": {
            "label": "Order",
            "key": "o:{parent.id}",
            "props": {
                "total": {
                    "field": "parent.total",
                    "type": "money",
                    "currency_field": "parent.cur",
                    "default_currency": "EUR",
                },
                "tags": {"field": "parent.tags", "type": "list"},
            },
        },
        "user": {"label": "User", "key": "u:{parent.user}"},
        "product": {"label": "Product", "key": {"field": "sku"}},
        "card": {
            "label": "Card",
            "key": {"field": "parent.card.n", "type": "card", "pseudonymise": "card"},
            "optional": True,
        },
        "ip": {"label": "IP", "key": {"field": "parent.ip", "type": "ip"}, "optional": True},
    }
    return Mapping.model_validate(
        {
            "sources": {
                "users": {
                    "path": str(tmp_path / "users.csv"),
                    "record_id": "id",
                    "nodes": users_nodes,
                    "relationships": [
                        {"type": "HAS_EMAIL", "from": "user", "to": "email"},
                        {"type": "HAS_PHONE", "from": "user", "to": "phone"},
                        {
                            "type": "HAS_ADDRESS",
                            "from": "user",
                            "to": "address",
                            "props": {"since": {"field": "joined", "type": "datetime"}},
                        },
                    ],
                },
                "orders": {
                    "path": str(tmp_path / "orders.jsonl"),
                    "record_id": "id",
                    "explode": "items",
                    "nodes": order_nodes,
                    "relationships": [
                        {"type": "PLACED", "from": "user", "to": "order"},
                        {
                            "type": "CONTAINS",
                            "from": "order",
                            "to": "product",
                            "props": {
                                "quantity": {"field": "qty", "type": "int", "required": True},
                                "tags": {"field": "tags", "type": "list"},
                            },
                        },
                        {"type": "PAID_WITH", "from": "order", "to": "card"},
                        {"type": "FROM_IP", "from": "order", "to": "ip"},
                    ],
                },
                "events": {
                    "path": str(tmp_path / "events.parquet"),
                    "record_id": "ev",
                    "nodes": {
                        "user": {"label": "User", "key": "app:{user}", "optional": True},
                        # a key that cleans to "": skipped when optional, a reject when not
                        "tag": {
                            "label": "Tag",
                            "key": {"field": "user", "default": ""},
                            "optional": True,
                        },
                        "kind": {
                            "label": "Kind",
                            "key": {"field": "n", "type": "str", "default": ""},
                        },
                        "event": {
                            "label": "Event",
                            "key": "{ev}",
                            "props": {
                                "n": {"field": "n", "type": "float"},
                                "kind": "kind",
                                "site": {"template": "app"},
                            },
                        },
                    },
                    "relationships": [{"type": "DID", "from": "user", "to": "event"}],
                },
            }
        }
    )


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 50_000])
def test_awkward_values_same_records_rejects_and_counts(
    awkward: Mapping, tmp_path: Path, chunk_rows: int
) -> None:
    old, new = _both(awkward, tmp_path, chunk_rows)
    _assert_same(old, new)
    counts = new[0].counts
    assert counts["users"].duplicates == 1 and counts["orders"].duplicates == 1
    assert counts["users"].rejected >= 4 and counts["orders"].rejected >= 3
    assert new[0].field_issues > 0  # optional values dropped and noted, not lost


def test_without_a_secret_pseudonymised_keys_fail_alike(awkward: Mapping, tmp_path: Path) -> None:
    old, new = _both(awkward, tmp_path, 2, pseudonymiser=None)
    _assert_same(old, new)
    assert any("no secret" in r.reason for r in new[1])


def test_cleaners_run_once_per_distinct_value(awkward: Mapping, tmp_path: Path) -> None:
    """The point of the path: a value repeated across rows (and chunks) is cleaned once."""
    from extraction import columnar
    from extraction.columns import FieldCleaner

    calls: list[str] = []
    original = FieldCleaner._clean

    def counting(self: FieldCleaner, row: dict[str, Any]) -> Any:
        if self.spec.type == "phone" and self.spec.pseudonymise:
            calls.append(json.dumps(row, sort_keys=True))
        return original(self, row)

    FieldCleaner._clean = counting  # type: ignore[method-assign]
    try:
        with RejectsWriter(tmp_path / "r.csv") as rejects:
            columnar.extract_columnar(awkward, SECRET, rejects, chunk_rows=2)
    finally:
        FieldCleaner._clean = original  # type: ignore[method-assign]
    assert len(calls) == len(set(calls))  # never the same inputs twice


@pytest.mark.slow
def test_generated_small_data_same_as_per_record(tmp_path: Path) -> None:
    generate("small", 7, tmp_path / "small")
    mapping = load_mapping(ROOT / "extraction/mappings/marketplace.yaml", tmp_path / "small")
    old, new = _both(mapping, tmp_path, 9_973)  # a prime: chunk edges fall mid-order
    _assert_same(old, new)
    assert sum(c.read for c in new[0].counts.values()) > 50_000
    assert new[1], "the generator's messy data should produce rejects or dropped values"


def test_dedupe_merges_without_changing_its_input() -> None:
    """Records seen once are kept as they are; merged ones are copies, so no caller's record
    changes (the columnar path and the enrichers still hold theirs)."""
    from extraction.ingest import merge_duplicate_rels
    from graph.records import NodeRecord, RelRecord

    a, b, c = NodeRecord("U", "1", {"x": 1}), NodeRecord("U", "1", {"y": 2}), NodeRecord("U", "2")
    assert merge_duplicates([a, b, c]) == [NodeRecord("U", "1", {"x": 1, "y": 2}), c]
    assert a.props == {"x": 1} and merge_duplicates([a, b, c])[1] is c
    r1, r2 = RelRecord("R", "U", "1", "U", "2", {"w": 1}), RelRecord("R", "U", "1", "U", "2", {})
    r3 = RelRecord("R", "U", "2", "U", "1")
    assert merge_duplicate_rels([r1, r2, r3, r2]) == [r1, r3]
    assert r1.props == {"w": 1} and merge_duplicate_rels([r1, r3])[0] is r1


@pytest.mark.parametrize("chunk_rows", [1, 50_000])
def test_a_relationship_is_made_only_for_rows_its_when_names(
    tmp_path: Path, chunk_rows: int
) -> None:
    """``when: {field: kind, values: [view]}`` keeps VIEWED to view rows: one event row is one
    relationship of its own kind, never every kind the source declares (both paths)."""
    (tmp_path / "events.csv").write_text(
        "ev,user,sku,kind\n1,u1,p1,view\n2,u1,p2,cart\n3,u2,p1,view\n4,u2,p3,refund\n"
    )
    mapping = Mapping.model_validate(
        {
            "sources": {
                "events": {
                    "path": str(tmp_path / "events.csv"),
                    "record_id": "ev",
                    "nodes": {
                        "user": {"label": "User", "key": "{user}"},
                        "product": {"label": "Product", "key": "{sku}"},
                    },
                    "relationships": [
                        {
                            "type": "VIEWED",
                            "from": "user",
                            "to": "product",
                            "when": {"field": "kind", "values": ["view"]},
                        },
                        {
                            "type": "ADDED_TO_CART",
                            "from": "user",
                            "to": "product",
                            "when": {"field": "kind", "values": ["cart"]},
                        },
                        {"type": "TOUCHED", "from": "user", "to": "product"},
                    ],
                }
            }
        }
    )
    old, new = _both(mapping, tmp_path, chunk_rows, pseudonymiser=None)
    _assert_same(old, new)
    got = sorted((r.type, r.start_key, r.end_key) for r in new[0].rels)
    assert got == [
        ("ADDED_TO_CART", "u1", "p2"),
        ("TOUCHED", "u1", "p1"),
        ("TOUCHED", "u1", "p2"),
        ("TOUCHED", "u2", "p1"),
        ("TOUCHED", "u2", "p3"),
        ("VIEWED", "u1", "p1"),
        ("VIEWED", "u2", "p1"),
    ]
    assert new[0].counts["events"].loaded == 4  # the refund row loads, with no conditional rel
