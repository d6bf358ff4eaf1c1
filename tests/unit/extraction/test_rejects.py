"""Rejects CSV and read counts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cartograph.errors import InputRecordError
from extraction.rejects import (
    COLUMNS,
    RAW_LIMIT,
    ReadCounts,
    Reject,
    RejectsWriter,
    excerpt,
    read_rejects,
)


def test_reject_round_trips_quotes_newlines_and_commas(tmp_path: Path) -> None:
    path = tmp_path / "rejects.csv"
    nasty = Reject(
        "web",
        'id,"7"',
        "price",
        'bad "amount", see\nline 2\r\nline 3',
        raw='{"price": "1,2,3", "note": "a\nb\tc"}',
    )
    with RejectsWriter(path) as writer:
        writer.write(nasty)
        writer.write(Reject("app", "2", "email", "no @"))
        assert writer.count == 2
    assert read_rejects(path) == [nasty, Reject("app", "2", "email", "no @")]
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 3


def test_control_characters_are_escaped_not_written(tmp_path: Path) -> None:
    path = tmp_path / "rejects.csv"
    with RejectsWriter(path) as writer:
        writer.write(Reject("web", "1\x1b[31m", "name", "nul\x00", raw="bell\x07 esc\x1b[2J"))
    text = path.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x00" not in text and "\x07" not in text
    [row] = read_rejects(path)
    assert row.raw == "bell\\x07 esc\\x1b[2J"
    assert row.record_id == "1\\x1b[31m"


def test_lone_surrogates_do_not_abort_the_load(tmp_path: Path) -> None:
    path = tmp_path / "rejects.csv"
    with RejectsWriter(path) as writer:
        writer.write(Reject("web", "1", "name", "bad", raw="abc\udcff"))
    assert read_rejects(path)[0].raw.startswith("abc")


def test_raw_is_truncated_to_the_limit() -> None:
    reject = Reject("s", "1", "f", "r", raw="x" * 10_000)
    assert len(reject.raw) == RAW_LIMIT
    assert reject.raw.endswith("…")
    assert Reject("s", "1", "f", "r", raw="y" * RAW_LIMIT).raw == "y" * RAW_LIMIT
    assert excerpt({"a": 1}) == "{'a': 1}"


def test_append_writes_the_header_once(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "rejects.csv"
    for source in ("web", "marketplace"):
        with RejectsWriter(path) as writer:
            writer.write(Reject(source, "1", "f", "r"))
            assert writer.count == 1
    assert [r.source for r in read_rejects(path)] == ["web", "marketplace"]
    assert path.read_text().count("source,record_id") == 1


def test_write_error_takes_fields_from_input_record_error(tmp_path: Path) -> None:
    error = InputRecordError("unknown currency 'XYZ'", source="web", record_id="O-1", field="price")
    with RejectsWriter(tmp_path / "r.csv") as writer:
        writer.write_error(error, raw={"price": "12 XYZ"})
    [row] = read_rejects(tmp_path / "r.csv")
    assert (row.source, row.record_id, row.field) == ("web", "O-1", "price")
    assert row.reason == "unknown currency 'XYZ'"
    assert "12 XYZ" in row.raw


def test_writer_outside_context_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        RejectsWriter(tmp_path / "r.csv").write(Reject("s", "1", "f", "r"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(max_size=20),
            st.text(max_size=20),
            st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=600),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_text_round_trips(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, str]]
) -> None:
    path = tmp_path_factory.mktemp("rejects") / "r.csv"
    rejects = [
        Reject("src", record_id, "field", reason, raw=raw) for record_id, reason, raw in rows
    ]
    with RejectsWriter(path) as writer:
        for reject in rejects:
            writer.write(reject)
    assert read_rejects(path) == rejects


def test_read_counts_reconcile() -> None:
    counts = ReadCounts(read=10, loaded=7, rejected=2, duplicates=1)
    assert counts.reconciles()
    assert counts.as_dict() == {"read": 10, "loaded": 7, "rejected": 2, "duplicates": 1}
    assert not ReadCounts(read=10, loaded=7, rejected=2).reconciles()
    total = sum([counts, ReadCounts(read=3, loaded=3)], ReadCounts())
    assert total == ReadCounts(read=13, loaded=10, rejected=2, duplicates=1)
    assert total.reconciles()
    counts.loaded += 1
    assert not counts.reconciles()
