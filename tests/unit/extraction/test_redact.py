"""No raw personal value in a rejects file: by column (pseudonym or placeholder) and by shape."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from extraction.ingest import ingest
from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.redact import Redactor, scrub
from extraction.rejects import Reject, RejectsWriter, read_rejects

PSEUDO = Pseudonymiser(b"unit-test-secret-0123456789abcdef")


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("mail Jane.Doe+x@Example.co.uk now", "Jane.Doe+x@Example.co.uk"),
        ("from 192.168.10.254,", "192.168.10.254"),
        ("v6 2001:db8::8a2e:370:7334 here", "2001:db8::8a2e:370:7334"),
        ("card 4111 1111 1111 1111.", "4111 1111 1111 1111"),
        ("card 4111-1111-1111-1111", "4111-1111-1111-1111"),
        ('"+44 117 728 0659"', "+44 117 728 0659"),
        ("0033 7 29071624", "0033 7 29071624"),
        ("(555) 123-4567", "123-4567"),
        ("tel:+34600123456", "+34600123456"),
    ],
)
def test_personal_shapes_are_scrubbed(text: str, gone: str) -> None:
    out = scrub(text)
    assert gone not in out
    assert "[" in out


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-05T12:30:00Z",
        "2024-01-05 12:30:00",
        "05/01/2024",
        "WS-C0001234567",
        "email:0123456789abcdef0123456789abcdef",
        "price 12.50 EUR, qty 3",
        "line 1234",
        "1.2.3.999",
        '"created": 1735700341,',
    ],
)
def test_ordinary_values_are_left_alone(text: str) -> None:
    assert scrub(text) == text


def test_rejects_file_is_0600_and_scrubbed_without_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "run" / "rejects.csv"
    with RejectsWriter(path) as writer:
        writer.write(Reject("web", "a@b.com", "*", "bad line", raw="x,a@b.com,+44 20 7946 0958"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text()
    assert "a@b.com" not in text and "7946" not in text
    [row] = read_rejects(path)
    assert row.record_id == "[email]" and row.raw == "x,[email],[phone]"


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
        props: {joined: {field: joined, type: datetime, required: true}}
        profile: {name: {template: "{first} {last}", type: name}}
      email: {label: Email, key: {field: email, type: email, pseudonymise: email}, optional: true}
      phone: {label: Phone, key: {field: phone, type: phone, pseudonymise: phone}, optional: true}
      ip: {label: IP, key: {field: ip, type: ip, pseudonymise: ip}, optional: true}
      card: {label: Card, key: {field: card, type: card, pseudonymise: card}, optional: true}
"""


def test_a_mapped_column_becomes_its_graph_token(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING)
    redactor = Redactor.from_mapping(load_mapping(tmp_path / "m.yaml"), PSEUDO)
    row = {"id": "7", "email": "Jane@Example.com", "joined": "soon", "phone": "12"}
    out = redactor.in_record(json.dumps(row))
    assert "Jane@Example.com" not in out
    assert PSEUDO.token("email", "jane@example.com") in out  # the token the graph holds
    assert '"phone": "[redacted phone]"' in out  # does not clean: no token, a placeholder
    cut = json.dumps(row)[:30]  # cut by the rejects' length limit in the middle of the e-mail
    assert "Jane" not in redactor.in_record(cut)
    assert redactor.field_value("{first} {last}", "Jane Doe") == "[redacted name]"
    assert redactor.field_value("joined", "soon") == "soon"


def test_messy_export_leaves_no_personal_text_in_rejects(tmp_path: Path) -> None:
    """Bad rows full of raw e-mails, phones, cards and IPs: every one is rejected or dropped
    with a reason, and none of the raw values reaches the file."""
    (tmp_path / "m.yaml").write_text(MAPPING)
    raw = {
        "jane.doe@example.com",
        "+44 20 7946 0958",
        "4111 1111 1111 1111",
        "203.0.113.77",
        "Jane",
        "Doe",
        "0033 7 29071624",
        "jo@ex.org",
        "5555-5555-5555-4444",
    }
    (tmp_path / "customers.csv").write_text(
        "id,first,last,email,phone,ip,card,joined\n"
        "1,Jane,Doe,jane.doe@example.com,+44 20 7946 0958,203.0.113.77,4111 1111 1111 1111,soon\n"
        "2,Ann,Lee,not-an-email,0033 7 29071624,999.1.1.1,1234,2024-01-01\n"
        "3,x,y,jo@ex.org,5555-5555-5555-4444,too,many,fields,2024-01-01\n"
    )
    path = tmp_path / "run" / "rejects.csv"
    result = ingest(load_mapping(tmp_path / "m.yaml"), PSEUDO, path)
    assert result.totals.rejected == 2 and result.field_issues >= 3
    text = path.read_text()
    assert [v for v in raw if v in text] == []
    assert PSEUDO.token("email", "jane.doe@example.com") in text
    reasons = {(r.record_id, r.field) for r in read_rejects(path)}
    assert ("1", "joined") in reasons and ("2", "phone") in reasons
    assert "999.1.1.1" not in text  # not an IP, but a personal column's value quoted in a reason


def test_unmapped_columns_named_as_personal_are_redacted(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING)
    redactor = Redactor.from_mapping(load_mapping(tmp_path / "m.yaml"), PSEUDO)
    raw = json.dumps({"ship_name": "Ann Lee", "product_name": "Mug", "status": "ok", "qty": 2})
    out = redactor.in_record(raw)
    assert "Ann" not in out and '"status": "ok"' in out and '"qty": 2' in out
