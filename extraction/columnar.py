"""The mapping applied a chunk of rows at a time, each field cleaned once per distinct value.

The per-record path (``extraction.transform.extract``) calls a cleaner for every field of every
row: a phone number, address or e-mail that a customer repeats on each of their orders is parsed,
validated and HMAC-ed again each time, in pure Python. Here a source is read in chunks (memory is
bounded by the chunk, not the file), every field is cleaned per distinct input
(``extraction.columns``), and rows are assembled from the cleaned columns. A row in which some
value failed, or a required value is missing, goes through the per-record code itself
(``transform._apply``, fed the precomputed values), so rejects and their reasons, dropped-value
notes, records and counts are the same record for record
(tests/unit/extraction/test_columnar.py compares both paths).

Nodes are merged by (label, key) as chunks complete (later properties winning, first position
kept): exactly what ``merge_duplicates`` gives at the end, with one record per user in memory
instead of one per order. Relationships are kept as read: entity resolution counts repeats.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any, cast

import numpy as np

from extraction.columns import Encoded, Failed, FieldCleaner, FieldColumn
from extraction.mapping import FieldSpec, Mapping, SourceSpec
from extraction.pseudonymise import Pseudonymiser
from extraction.rejects import ReadCounts, Reject, RejectsWriter
from extraction.sources import BadRow, CsvDialect, read_rows
from extraction.transform import (
    Extracted,
    RowRejected,
    _apply,
    _explode,
    _fingerprint,
    _holds,
    _record_id,
    check_header,
)
from extraction.values import as_properties
from graph.records import NodeRecord, RelRecord

# Rows per chunk: big enough that encoding and per-distinct cleaning amortise, small enough
# that a chunk's row dicts stay far below the records the whole file produces.
CHUNK_ROWS = 50_000


class _Precomputed:
    """The ``transform.Cleaner`` for rows assembled by ``_apply``: the value of row ``pos``."""

    def __init__(self, columns: dict[int, FieldColumn]) -> None:
        self.columns = columns
        self.pos = 0

    def __call__(self, spec: FieldSpec, data: dict[str, Any]) -> Any:
        value = self.columns[id(spec)].at(self.pos)
        if isinstance(value, Failed):
            value.raise_again()
        return value


def _key(value: Any) -> str | None:
    """``transform._node_key`` for a value that cleaned: None skips the node."""
    return None if value is None or value == "" else str(value)


def _pairs(name: str) -> Any:
    """``transform._values``'s contribution of one cleaned value: () when absent."""
    return lambda v: () if v is None else tuple(as_properties(name, v).items())


@dataclass
class _Plan:
    """One source's fields, and per chunk the rows that the fast assembly may build."""

    source: SourceSpec
    cleaners: dict[int, FieldCleaner]

    @classmethod
    def of(cls, source: SourceSpec, pseudonymiser: Pseudonymiser | None) -> _Plan:
        specs: list[FieldSpec] = []
        for node in source.nodes.values():
            specs += [node.key, *node.props.values(), *node.profile.values()]
        for rel in source.relationships:
            specs += rel.props.values()
        return cls(source, {id(s): FieldCleaner(s, pseudonymiser) for s in specs})

    def columns(self, rows: list[dict[str, Any]]) -> dict[int, FieldColumn]:
        encodings: dict[str, Encoded] = {}
        return {ident: fc.column(rows, encodings) for ident, fc in self.cleaners.items()}

    def slow_rows(self, cols: dict[int, FieldColumn], n: int) -> np.ndarray:
        """Rows the per-record code must assemble: a value failed (a reject or a note), a key of
        a node that is not optional is empty, or a required value is missing."""
        slow = np.zeros(n, dtype=bool)
        for col in cols.values():
            slow |= col.mask(lambda r: isinstance(r, Failed))
        specs = [s for n_ in self.source.nodes.values() for s in n_.props.values()]
        specs += [s for n_ in self.source.nodes.values() for s in n_.profile.values()]
        specs += [s for rel in self.source.relationships for s in rel.props.values()]
        for spec in specs:
            if spec.required:
                slow |= cols[id(spec)].mask(lambda r: r is None)
        for node in self.source.nodes.values():
            if not node.optional:
                slow |= cols[id(node.key)].mask(lambda r: _key(r) is None)
        return slow


def extract_columnar(
    mapping: Mapping,
    pseudonymiser: Pseudonymiser | None,
    rejects: RejectsWriter,
    chunk_rows: int = CHUNK_ROWS,
) -> Extracted:
    """``transform.extract``'s result (nodes already merged by key), computed chunk by chunk."""
    out = Extracted()
    index: dict[tuple[str, str], NodeRecord] = {}
    for name, source in mapping.sources.items():
        counts = ReadCounts()
        label = f"{name} ({source.path.name})"
        dialect = CsvDialect(source.delimiter, source.quotechar, source.encoding)
        check_header(name, source, dialect)
        plan = _Plan.of(source, pseudonymiser)
        seen: set[bytes] = set()
        rows = read_rows(source.path, source.resolved_format, dialect)
        for chunk in _chunks(rows, chunk_rows):
            units, subs = _prepare(source, chunk, seen)
            cols = plan.columns(subs)
            builder = _Builder(source, subs, cols, plan.slow_rows(cols, len(subs)), out)
            start = len(out.nodes)
            for unit in units:
                _account(unit, label, source, builder, pseudonymiser, rejects, counts)
            _merge_new_nodes(out, start, index)
        out.counts[name] = counts
    return out


def _csv_fingerprint(row: dict[str, Any]) -> bytes:
    """``transform._fingerprint`` for a CSV row, without JSON: every row of a file has the
    header's keys in the header's order and string values without NUL (the reader rejects
    those), so equal joined values mean equal rows, as equal JSON does."""
    text = "\x00".join(row.values()).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).digest()


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _prepare(
    source: SourceSpec, chunk: list[Any], seen: set[bytes]
) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
    """Per row, in order: what it is (bad, duplicate, or its sub-rows and any explode error);
    and every sub-row of the chunk in one list, the rows the columns are built from."""
    units: list[tuple[Any, ...]] = []
    subs: list[dict[str, Any]] = []
    csv = source.resolved_format == "csv"
    for line, row in chunk:
        if isinstance(row, BadRow):
            units.append(("bad", line, row))
            continue
        if source.dedupe:
            fp = _csv_fingerprint(row) if csv else _fingerprint(row)
            if fp in seen:
                units.append(("dup",))
                continue
            seen.add(fp)
        first, error = len(subs), None
        try:
            for sub in _explode(source, row):  # the elements before a bad one still load
                subs.append(sub)
        except RowRejected as exc:
            error = exc
        units.append(("row", line, row, first, len(subs), error))
    return units, subs


_Rows = list[list[Any]]


class _Builder:
    """Builds the records of one sub-row of a chunk from the cleaned columns."""

    def __init__(
        self,
        source: SourceSpec,
        subs: list[dict[str, Any]],
        cols: dict[int, FieldColumn],
        slow: np.ndarray,
        out: Extracted,
    ) -> None:
        self.source, self.subs, self.out = source, subs, out
        self.slow: list[bool] = slow.tolist()
        self.cleaner = _Precomputed(cols)

        def props(specs: dict[str, FieldSpec]) -> list[dict[str, Any]] | None:
            """Per row, the properties of one node or relationship (None: it has none)."""
            columns = [cols[id(s)].rows(_pairs(name)) for name, s in specs.items()]
            return _dicts(columns) if columns else None

        self.nodes = [
            (alias, node.label, cols[id(node.key)].rows(_key), props(node.props),
             props(node.profile) if node.profile else None)
            for alias, node in source.nodes.items()
        ]  # fmt: skip
        self.rels = [
            (rel.type, source.nodes[rel.start].label, rel.start, source.nodes[rel.end].label,
             rel.end, props(rel.props), rel.when)
            for rel in source.relationships
        ]  # fmt: skip

    def build(
        self,
        pos: int,
        label: str,
        record_id: str,
        pseudonymiser: Pseudonymiser | None,
        rejects: RejectsWriter,
    ) -> None:
        """``transform._apply`` for sub-row ``pos``; rows that may reject or note take it."""
        if self.slow[pos]:
            self.cleaner.pos = pos
            _apply(
                self.source, self.subs[pos], label, record_id, pseudonymiser, rejects,
                self.out, self.cleaner,
            )  # fmt: skip
            return
        keys: dict[str, str] = {}
        nodes: list[NodeRecord] = []
        profiles: dict[tuple[str, str], dict[str, Any]] = {}
        for alias, node_label, key_rows, prop_rows, profile_rows in self.nodes:
            key = key_rows[pos]
            if key is None:
                continue
            keys[alias] = key
            nodes.append(NodeRecord(node_label, key, {} if prop_rows is None else prop_rows[pos]))
            if profile_rows is not None:
                profiles[(node_label, key)] = profile_rows[pos]
        sub = self.subs[pos]
        rels = [
            RelRecord(rel_type, start_label, keys[start], end_label, keys[end],
                      {} if prop_rows is None else prop_rows[pos])
            for rel_type, start_label, start, end_label, end, prop_rows, when in self.rels
            if start in keys and end in keys and (when is None or _holds(when, sub))
        ]  # fmt: skip
        self.out.nodes.extend(nodes)
        self.out.rels.extend(rels)
        for ref, profile in profiles.items():
            self.out.profiles.setdefault(ref, {}).update(profile)


def _dicts(columns: _Rows) -> list[dict[str, Any]]:
    """One new dict per row from each column's pairs, later columns winning (as the per-record
    path's updates): built a column set at a time, not a call per row and record."""
    if len(columns) == 1:
        return [dict(pairs) for pairs in columns[0]]
    return [dict(chain.from_iterable(parts)) for parts in zip(*columns, strict=True)]


def _account(
    unit: tuple[Any, ...],
    label: str,
    source: SourceSpec,
    builder: _Builder,
    pseudonymiser: Pseudonymiser | None,
    rejects: RejectsWriter,
    counts: ReadCounts,
) -> None:
    """``transform._extract_source``'s per-row bookkeeping: every row read is counted once."""
    counts.read += 1
    if unit[0] == "bad":
        _, line, bad = unit
        rejects.write(Reject(label, f"line {line}", "*", bad.reason, bad.raw))
        counts.rejected += 1
        return
    if unit[0] == "dup":
        counts.duplicates += 1
        return
    _, line, row, first, end, error = unit
    record_id = _record_id(source, row, line)
    try:
        for pos in range(first, end):
            builder.build(pos, label, record_id, pseudonymiser, rejects)
        if error is not None:
            raise error
    except RowRejected as exc:
        rejects.write(Reject(label, record_id, exc.field, exc.reason, json.dumps(row, default=str)))
        counts.rejected += 1
        return
    counts.loaded += 1


def _merge_new_nodes(out: Extracted, start: int, index: dict[tuple[str, str], NodeRecord]) -> None:
    """Fold the nodes a chunk added into the first record of each (label, key): the same
    properties, order and winners as ``merge_duplicates`` over the whole list."""
    kept: list[NodeRecord] = []
    for node in out.nodes[start:]:
        first = index.get((node.label, node.key))
        if first is None:
            index[(node.label, node.key)] = node
            kept.append(node)
        else:
            cast(dict[str, Any], first.props).update(node.props)
    del out.nodes[start:]
    out.nodes.extend(kept)
