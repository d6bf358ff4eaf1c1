"""Mapping file → records, with every row accounted for (loaded, rejected or duplicate)."""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cartograph.errors import ConfigError
from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.rejects import RejectsWriter, read_rejects
from extraction.transform import extract, merge_duplicates

MAPPING = """
version: 1
sources:
  customers:
    path: customers.csv
    record_id: id
    nodes:
      user:
        label: User
        key: "shop:{id}"
        props:
          created_at: {field: signup, type: datetime, required: true}
          country: country
        profile:
          name: {field: name, type: name}
      email: {label: Email, key: {field: email, type: email, pseudonymise: email}, optional: true}
      phone:
        label: Phone
        key: {field: phone, type: phone, region_field: country, pseudonymise: phone}
        optional: true
    relationships:
      - {type: HAS_EMAIL, from: user, to: email}
      - {type: HAS_PHONE, from: user, to: phone}
  orders:
    path: orders.jsonl
    record_id: order_id
    explode: items
    nodes:
      order:
        label: Order
        key: "shop:{parent.order_id}"
        props: {total: {field: parent.total, type: money, required: true}}
      user: {label: User, key: "shop:{parent.customer}"}
      product: {label: Product, key: "shop:{sku}"}
    relationships:
      - {type: PLACED, from: user, to: order}
      - {type: CONTAINS, from: order, to: product, props: {quantity: {field: qty, type: int}}}
  events:
    path: events.parquet
    nodes:
      user: {label: User, key: "app:{user}"}
      device: {label: Device, key: {field: device, pseudonymise: device}}
    relationships:
      - {type: USED_DEVICE, from: user, to: device}
"""

CSV = (
    "id,name,email,phone,signup,country\n"
    '1,"DOE, Jane",Jane.Doe@Example.com,(020) 7946-0958,2025-03-01T10:00:00Z,GB\n'
    '1,"DOE, Jane",Jane.Doe@Example.com,(020) 7946-0958,2025-03-01T10:00:00Z,GB\n'
    "2,bob smith,not-an-email,,1700000000,DE\n"
    "3,Ann Lee,ann@example.org,+44 20 7946 0000,not a date,GB\n"
    "4,too,few\n"
)


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    (tmp_path / "mapping.yaml").write_text(MAPPING)
    (tmp_path / "customers.csv").write_text(CSV)
    orders = [
        {
            "order_id": "o1",
            "customer": "1",
            "total": "€1.299,00",
            "items": [{"sku": "p1", "qty": 1}, {"sku": "p2", "qty": "2"}],
        },
        {"order_id": "o2", "customer": "2", "total": "12 bananas", "items": [{"sku": "p1"}]},
        {"order_id": "o3", "customer": "2", "total": "$5.00", "items": []},
    ]
    text = "\n".join(json.dumps(o) for o in orders) + "\n{broken json\n"
    (tmp_path / "orders.jsonl").write_text(text)
    table = pa.table({"user": ["a1", "a2"], "device": ["dev-x", "dev-x"]})
    pq.write_table(table, tmp_path / "events.parquet")
    return tmp_path


def _run(data_dir: Path):
    mapping = load_mapping(data_dir / "mapping.yaml")
    with RejectsWriter(data_dir / "rejects.csv") as rejects:
        out = extract(mapping, Pseudonymiser(b"k" * 32), rejects)
    return out, read_rejects(data_dir / "rejects.csv")


def test_every_row_is_loaded_rejected_or_a_duplicate(data_dir: Path) -> None:
    out, rejects = _run(data_dir)
    c = out.counts
    assert (
        c["customers"].read,
        c["customers"].loaded,
        c["customers"].rejected,
        c["customers"].duplicates,
    ) == (5, 2, 2, 1)
    assert (c["orders"].read, c["orders"].loaded, c["orders"].rejected) == (4, 1, 3)
    assert (c["events"].read, c["events"].loaded) == (2, 2)
    assert all(v.reconciles() for v in c.values())
    by_record = {(r.record_id, r.field): r.reason for r in rejects}
    assert ("3", "signup") in by_record  # required date unreadable: record rejected
    assert ("line 6", "*") in by_record  # CSV row with too few fields
    assert ("o2", "parent.total") in by_record and ("o3", "items") in by_record
    assert any(rid == "line 4" and "JSON" in reason for (rid, _), reason in by_record.items())
    # Optional value that is unreadable: record loaded, value dropped and noted.
    assert "dropped" in by_record[("2", "email")]
    assert out.field_issues == sum("dropped" in r.reason for r in rejects) >= 1


def test_values_are_cleaned_and_identifiers_pseudonymised(data_dir: Path) -> None:
    out, _ = _run(data_dir)
    nodes = {(n.label, n.key): n for n in merge_duplicates(out.nodes)}
    jane = nodes[("User", "shop:1")]
    assert jane.props["created_at"].isoformat() == "2025-03-01T10:00:00+00:00"
    emails = [k for (label, k) in nodes if label == "Email"]
    phones = [k for (label, k) in nodes if label == "Phone"]
    assert len(emails) == 1 and emails[0].startswith("email:") and "example" not in emails[0]
    assert len(phones) == 1 and "7946" not in phones[0]
    assert out.profiles[("User", "shop:1")]["name"] == "Jane Doe"
    order = nodes[("Order", "shop:o1")]
    assert order.props == {"total": 1299.0, "total_currency": "EUR"}
    contains = {(r.end_key, r.props.get("quantity")) for r in out.rels if r.type == "CONTAINS"}
    assert contains == {("shop:p1", 1), ("shop:p2", 2)}
    # Two app users on one device meet on one Device node.
    devices = {r.end_key for r in out.rels if r.type == "USED_DEVICE"}
    assert len(devices) == 1


def test_same_value_same_token_across_sources(data_dir: Path) -> None:
    a, _ = _run(data_dir)
    b, _ = _run(data_dir)
    assert [n.key for n in a.nodes] == [n.key for n in b.nodes]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sources: {s: {path: x.csv, nodes: {}, relationships: [{type: R, from: a, to: b}]}}",
            "unknown node",
        ),
        ("sources: {s: {path: x.csv, nodes: {a: {label: 'Bad Label', key: k}}}}", "E311"),
        ("sources: {s: {path: x.csv, nodes: {a: {label: A, key: {type: str}}}}}", "exactly one"),
        ("sources: {s: {path: x.csv, nodes: {a: {label: A, key: k, colour: red}}}}", "colour"),
        ("sources: [", "cannot read"),
    ],
)
def test_invalid_mappings_are_explained(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_mapping(path)
