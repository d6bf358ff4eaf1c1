"""Readers for CSV, JSON lines and Parquet that never stop at a bad row.

Each yields either a row (a dict) or a ``BadRow`` saying where and why it could not be read, so
one corrupt line costs one rejects entry, not the file. Bytes that are not UTF-8 are caught per
row (``surrogateescape``) instead of failing the whole read.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cartograph.errors import ConfigError

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
MAX_FIELD_CHARS = 1_000_000
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class BadRow:
    """A row that could not be parsed at all: ``line`` is 1-based (the header is line 1 in CSV)."""

    line: int
    reason: str
    raw: str


Row = dict[str, Any]
DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written; ``delimiter`` None means: sniff it from the header line."""

    delimiter: str | None = None
    quotechar: str = '"'
    encoding: str = "utf-8"


def sniff_delimiter(header_line: str) -> str:
    """The candidate that splits the header into the most columns (ties: comma). A header of
    column names rarely holds a delimiter inside a name, so this is steadier than sniffing rows
    of free text, where commas inside quoted reviews mislead ``csv.Sniffer``."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts.values())
    return "," if best == 0 or counts[","] == best else max(counts, key=lambda d: counts[d])


def _csv_reader(fh: Any, dialect: CsvDialect) -> Any:
    first = fh.readline()
    fh.seek(0)
    delimiter = dialect.delimiter or sniff_delimiter(first)
    return csv.reader(fh, delimiter=delimiter, quotechar=dialect.quotechar)


def header_columns(path: Path, fmt: str, dialect: CsvDialect | None = None) -> list[str] | None:
    """The columns a CSV or Parquet file declares (None for JSON lines, which have no header)."""
    if fmt == "csv":
        d = dialect or CsvDialect()
        with path.open(newline="", encoding=d.encoding, errors="surrogateescape") as fh:
            return [h.strip().lstrip("\ufeff") for h in next(_csv_reader(fh, d), [])]
    if fmt == "parquet":
        try:
            return list(pq.read_schema(path).names)
        except (pa.ArrowException, OSError):
            return None  # unreadable: the row reader reports it as a rejected record
    return None


def read_rows(
    path: Path, fmt: str, dialect: CsvDialect | None = None
) -> Iterator[tuple[int, Row | BadRow]]:
    """``(line or row number, row | BadRow)`` for every record in the file."""
    if not path.is_file():  # a wrong path is the user's to fix, not a crash deep in a load
        raise ConfigError(f"source file {path} does not exist or is not a file", code="E107")
    if fmt == "csv":
        yield from _read_csv(path, dialect or CsvDialect())
    elif fmt == "jsonl":
        yield from _read_jsonl(path)
    elif fmt == "parquet":
        yield from _read_parquet(path)
    else:  # pragma: no cover - the mapping validates formats
        raise ValueError(f"unknown format {fmt}")


def _bad_text(values: list[str]) -> str | None:
    for v in values:
        # surrogateescape'd bytes, or a lone surrogate from a JSON "\ud800" escape: neither can
        # be encoded to send to Neo4j, which would fail the whole batch.
        if _SURROGATE.search(v):  # one C scan, not a Python step per character
            return "not valid UTF-8"
        if len(v) > MAX_FIELD_CHARS:
            return f"field longer than {MAX_FIELD_CHARS} characters"
        if "\x00" in v:
            return "NUL character in field"
    return None


def _read_csv(path: Path, dialect: CsvDialect) -> Iterator[tuple[int, Row | BadRow]]:
    with path.open(newline="", encoding=dialect.encoding, errors="surrogateescape") as fh:
        reader = _csv_reader(fh, dialect)
        try:
            header = [h.strip().lstrip("\ufeff") for h in next(reader)]
        except StopIteration:
            return
        while True:
            line = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield line, BadRow(line, f"malformed CSV: {exc}", "")
                continue
            if not any(v.strip() for v in values):
                continue  # blank line: not a record
            raw = reader.dialect.delimiter.join(values)[:500]
            problem = _bad_text(values) or (
                f"{len(values)} fields, header has {len(header)}"
                if len(values) != len(header)
                else None
            )
            if problem:
                yield line, BadRow(line, problem, raw.encode("utf-8", "replace").decode())
                continue
            yield line, dict(zip(header, values, strict=True))


def _read_jsonl(path: Path) -> Iterator[tuple[int, Row | BadRow]]:
    with path.open(encoding="utf-8", errors="surrogateescape") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            problem = _bad_text([line])
            if problem:
                yield (
                    line_no,
                    BadRow(line_no, problem, line[:500].encode("utf-8", "replace").decode()),
                )
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield line_no, BadRow(line_no, f"invalid JSON: {exc.msg}", line[:500])
                continue
            if not isinstance(row, dict):
                yield line_no, BadRow(line_no, "JSON line is not an object", line[:500])
                continue
            problem = _bad_text(list(_strings(row)))  # "\u0000" is only a NUL once decoded
            if problem:
                yield line_no, BadRow(line_no, problem, line[:500])
                continue
            yield line_no, row


def _strings(value: Any) -> Iterator[str]:
    """Every string in a decoded JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _read_parquet(path: Path) -> Iterator[tuple[int, Row | BadRow]]:
    """Rows in file order; string values get the same checks as CSV and JSON lines. A file that
    is not Parquet, or is cut short, yields the rows read so far plus one BadRow for the rest."""
    row_no = 0
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
            for row in batch.to_pylist():
                row_no += 1
                problem = _bad_text([v for v in row.values() if isinstance(v, str)])
                if problem:
                    yield row_no, BadRow(row_no, problem, str(row)[:500])
                    continue
                yield row_no, row
    except (pa.ArrowException, OSError) as exc:
        yield (
            row_no + 1,
            BadRow(row_no + 1, f"unreadable Parquet ({exc}); rows after {row_no} lost", ""),
        )
