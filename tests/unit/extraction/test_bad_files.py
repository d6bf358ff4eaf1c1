"""Malformed exports through the whole extraction path: every record loaded or rejected with a
reason, counts reconcile, nothing raises.

Each case writes one file, maps it with a small mapping (a ``User`` keyed by ``id`` with a
required ``int`` amount), runs ``extraction.ingest.ingest`` and checks the per-source counts and
the rejects file. The cases double as the bad-input rows of ``docs/reliability.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartograph.errors import ConfigError
from extraction.ingest import IngestResult, ingest
from extraction.mapping import Mapping
from extraction.rejects import read_rejects
from extraction.sources import MAX_FIELD_CHARS

FUZZ = settings(  # derandomized: the same examples on every run, so CI is reproducible
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
HEADER = "id,name,amount\n"


def _mapping(path: Path) -> Mapping:
    return Mapping.model_validate(
        {
            "sources": {
                "users": {
                    "path": str(path),
                    "record_id": "id",
                    "nodes": {
                        "user": {
                            "label": "User",
                            "key": "u:{id}",
                            "props": {
                                "name": "name",
                                "amount": {"field": "amount", "type": "int", "required": True},
                            },
                        }
                    },
                }
            }
        }
    )


def _run(path: Path, tmp_path: Path) -> tuple[IngestResult, list[str]]:
    """Ingest one file; returns the result and the reasons of record-level rejects."""
    rejects = tmp_path / f"rejects-{path.name}.csv"
    rejects.unlink(missing_ok=True)
    result = ingest(_mapping(path), pseudonymiser=None, rejects_path=rejects)
    counts = result.counts["users"]
    assert counts.reconciles(), counts
    rows = read_rejects(rejects) if rejects.exists() else []
    reasons = [f"{r.field}: {r.reason}" for r in rows if not r.reason.startswith("value dropped")]
    assert len(reasons) == counts.rejected and all(reasons), (counts, reasons)
    assert len(result.nodes) == counts.loaded  # one User per loaded row (keys are distinct)
    for node in result.nodes:  # what loads can be sent: UTF-8 encodable, no NUL
        for text in [node.key, *(v for v in node.props.values() if isinstance(v, str))]:
            assert "\x00" not in text
            text.encode("utf-8")
    return result, reasons


def _expect(result: IngestResult, read: int, loaded: int, rejected: int) -> None:
    c = result.counts["users"]
    assert (c.read, c.loaded, c.rejected) == (read, loaded, rejected), c


CSV_CASES = {
    "wrong field count": (
        HEADER + "1,ann,5\n2,bob\n3,cy,7,extra\n",
        3,
        1,
        ["2 fields", "4 fields"],
    ),
    "unterminated quote": (HEADER + '1,ann,5\n2,"bob,6\n3,cy,7\n', 2, 1, ["fields"]),
    "NUL byte": (HEADER + "1,ann,5\n2,b\x00b,6\n", 2, 1, ["NUL"]),
    "control characters kept": (HEADER + "1,a\x1b[31mnn\x07,5\n", 1, 1, []),
    "bad required int": (HEADER + "1,ann,five\n2,bob,inf\n3,cy,1e400\n", 3, 0, ["amount"] * 3),
    "blank lines skipped": (HEADER + "\n1,ann,5\n\n,,\n2,bob,6\n", 2, 2, []),
    "UTF-8 BOM header": ("\ufeff" + HEADER + "1,ann,5\n", 1, 1, []),
    "missing key": (HEADER + ",ann,5\n", 1, 0, ["key is missing"]),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_malformed_csv(case: str, tmp_path: Path) -> None:
    text, read, loaded, reasons = CSV_CASES[case]
    path = tmp_path / "users.csv"
    path.write_text(text, encoding="utf-8", newline="")
    result, got = _run(path, tmp_path)
    _expect(result, read, loaded, read - loaded)
    for wanted, reason in zip(reasons, got, strict=True):
        assert wanted in reason, got


def test_latin1_rows_are_rejected_ascii_rows_load(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes((HEADER + "1,ann,5\n2,Zoë,6\n3,Ørjan,7\n").encode("latin-1"))
    result, reasons = _run(path, tmp_path)
    _expect(result, 3, 1, 2)
    assert reasons == ["*: not valid UTF-8"] * 2


def test_utf16_file_stops_at_the_header_check_and_loads_with_its_encoding(tmp_path: Path) -> None:
    """UTF-16 read as UTF-8 is garbage with NULs: the header check stops the run with one coded
    error that points at the encoding option, and with ``encoding: utf-16`` the file loads."""
    path = tmp_path / "users.csv"
    path.write_bytes((HEADER + "1,ann,5\n2,bob,6\n").encode("utf-16"))
    with pytest.raises(ConfigError, match=r"\[E108\].*encoding"):
        _run(path, tmp_path)
    m = _mapping(path)
    source = m.sources["users"].model_copy(update={"encoding": "utf-16"})
    result = ingest(m.model_copy(update={"sources": {"users": source}}), None, tmp_path / "r.csv")
    _expect(result, 2, 2, 0)


def test_huge_field_is_rejected_and_the_rest_loads(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text(HEADER + f"1,{'x' * (MAX_FIELD_CHARS + 1)},5\n2,bob,6\n", encoding="utf-8")
    result, reasons = _run(path, tmp_path)
    _expect(result, 2, 1, 1)
    assert "longer than" in reasons[0]
    assert len(read_rejects(tmp_path / "rejects-users.csv.csv")[0].raw) <= 500  # excerpt only


def test_empty_and_header_only_files_read_nothing(tmp_path: Path) -> None:
    for name, text in (("empty.csv", ""), ("header.csv", HEADER)):
        path = tmp_path / name
        path.write_text(text)
        result, _ = _run(path, tmp_path)
        _expect(result, 0, 0, 0)


JSONL_LINES = [
    '{"id": 1, "name": "ann", "amount": 5}',
    '{"id": 2, "name": "bob", "amount": 6',  # truncated
    "[1, 2, 3]",  # not an object
    '"just a string"',
    '{"id": 3, "name": "cy", "amount": 1e999}',  # inf
    '{"id": 4, "name": {"nested": true}, "amount": 8}',  # object where text expected: str()
    '{"id": 5, "name": "d\\u0000n", "amount": 9}',  # NUL escaped in JSON: found after decoding
    '{"id": 6, "name": "eve", "amount": 99999999999999999999999}',  # beyond 64 bits
    '{"id": 7, "name": "\\ud800", "amount": 9}',  # lone surrogate: cannot be sent as UTF-8
    "",
]


def test_malformed_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "users.jsonl"
    path.write_text("\n".join(JSONL_LINES) + "\n", encoding="utf-8")
    result, reasons = _run(path, tmp_path)
    _expect(result, 9, 2, 7)
    assert any("invalid JSON" in r for r in reasons)
    assert any("NUL" in r for r in reasons) and any("UTF-8" in r for r in reasons)
    assert sum("not an object" in r for r in reasons) == 2
    assert sum("finite" in r or "64-bit" in r for r in reasons) == 2


def test_parquet_bad_strings_and_broken_files(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": ["1", "2", "3", "4"],
            "name": ["ann", "b\x00b", "c" * (MAX_FIELD_CHARS + 1), "dee"],
            "amount": ["5", "6", "7", "8"],
        }
    )
    good = tmp_path / "users.parquet"
    pq.write_table(table, good)
    result, reasons = _run(good, tmp_path)
    _expect(result, 4, 2, 2)
    assert "NUL" in reasons[0] and "longer than" in reasons[1]

    truncated = tmp_path / "truncated.parquet"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    not_parquet = tmp_path / "csv.parquet"
    not_parquet.write_text(HEADER + "1,ann,5\n")
    empty = tmp_path / "empty.parquet"
    empty.write_bytes(b"")
    for path in (truncated, not_parquet, empty):
        result, reasons = _run(path, tmp_path)
        _expect(result, 1, 0, 1)
        assert "unreadable Parquet" in reasons[0]


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="E107"):
        ingest(_mapping(tmp_path / "nope.csv"), None, tmp_path / "rejects.csv")


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["csv", "jsonl"]))
def test_arbitrary_bytes_never_crash(tmp_path: Path, data: bytes, fmt: str) -> None:
    path = tmp_path / f"users.{fmt}"
    path.write_bytes((HEADER.encode() if fmt == "csv" else b"") + data)
    _run(path, tmp_path)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@FUZZ
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["id", "name", "amount", "x"]), JSON),
        max_size=6,
        unique_by=lambda r: str(r.get("id")),  # distinct keys: one User per loaded row
    )
)
def test_arbitrary_json_objects_never_crash(tmp_path: Path, rows: list[dict[str, object]]) -> None:
    """Any JSON value in any column: loaded or rejected, counts reconcile."""
    path = tmp_path / "users.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    _run(path, tmp_path)


TEXT = st.text(max_size=20) | st.sampled_from(["", "inf", "\x00", "1e400", "12", " 7 "])


@FUZZ
@given(st.lists(st.tuples(TEXT, TEXT, TEXT), max_size=8, unique_by=lambda r: r[0]))
def test_arbitrary_rows_as_csv_jsonl_and_parquet(
    tmp_path: Path, rows: list[tuple[str, str, str]]
) -> None:
    """The same rows in three formats: equal counts, whatever the values are."""
    cols = {
        "id": [r[0] for r in rows],
        "name": [r[1] for r in rows],
        "amount": [r[2] for r in rows],
    }
    pq.write_table(pa.table(cols), tmp_path / "users.parquet")
    (tmp_path / "users.jsonl").write_text(
        "".join(json.dumps(dict(zip(cols, r, strict=True))) + "\n" for r in rows)
    )
    counts = {}
    for name in ("users.parquet", "users.jsonl"):
        result, _ = _run(tmp_path / name, tmp_path)
        c = result.counts["users"]
        counts[name] = (c.loaded, c.rejected + c.duplicates)
    assert counts["users.parquet"] == counts["users.jsonl"]
