"""Apply a mapping to its sources: rows in, graph records out, every row accounted for.

For each row: exact duplicates are dropped and counted; a row that cannot be read, or whose
required field cannot be cleaned, goes to the rejects file with the field and reason; an optional
value that cannot be cleaned is dropped from an otherwise loaded row and noted as a field issue.
``read == loaded + rejected + duplicates`` holds for every source.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from cartograph.errors import ConfigError
from extraction.mapping import Condition, FieldSpec, Mapping, NodeSpec, SourceSpec
from extraction.pseudonymise import Pseudonymiser
from extraction.rejects import ReadCounts, Reject, RejectsWriter
from extraction.sources import BadRow, CsvDialect, header_columns, read_rows
from extraction.values import as_properties, clean, lookup
from graph.records import NodeRecord, RelRecord

# Cleans one field of one (sub-)row: the per-record ``values.clean`` by default; the columnar
# path (extraction.columnar) passes one that returns what it computed per distinct value.
Cleaner = Callable[[FieldSpec, dict[str, Any]], Any]


class RowRejected(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


@dataclass
class Extracted:
    """All records of a mapping, plus per-node profiles that entity resolution reads."""

    nodes: list[NodeRecord] = field(default_factory=list)
    rels: list[RelRecord] = field(default_factory=list)
    profiles: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, ReadCounts] = field(default_factory=dict)
    field_issues: int = 0


def extract(
    mapping: Mapping, pseudonymiser: Pseudonymiser | None, rejects: RejectsWriter
) -> Extracted:
    """Run every source of the mapping, in the order the mapping lists them."""
    out = Extracted()
    for name, source in mapping.sources.items():
        out.counts[name] = _extract_source(name, source, pseudonymiser, rejects, out)
    return out


def check_header(name: str, source: SourceSpec, dialect: CsvDialect) -> None:
    """Every column the mapping names must be in the file's header (CSV, Parquet), checked
    before any row is read: a misspelt column or a wrong delimiter is one coded error naming the
    file, the column and the header found, instead of every row rejected for a missing key."""
    if not source.path.is_file():
        return  # read_rows raises E107 for it
    header = header_columns(source.path, source.resolved_format, dialect)
    if not header:
        return  # JSON lines, an unreadable Parquet file, or an empty file: nothing to compare
    missing = sorted(source.columns() - set(header))
    if missing:
        raise ConfigError(
            f"source {name} ({source.path}): column {missing[0]!r} named by the mapping is not "
            f"in the file's header {header[:30]}"
            + (f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else "")
            + "; check the column names, or the delimiter/encoding options of the source",
            code="E108",
        )


def _fingerprint(row: dict[str, Any]) -> bytes:
    """16 bytes per row read: the set of them is what dedupe holds for a whole file."""
    return hashlib.blake2b(
        json.dumps(row, sort_keys=True, default=str).encode(), digest_size=16
    ).digest()


def _record_id(source: SourceSpec, row: dict[str, Any], line: int) -> str:
    value = lookup(row, source.record_id) if source.record_id else None
    return str(value) if isinstance(value, str | int) and str(value).strip() else f"line {line}"


def _extract_source(
    name: str,
    source: SourceSpec,
    pseudonymiser: Pseudonymiser | None,
    rejects: RejectsWriter,
    out: Extracted,
) -> ReadCounts:
    counts = ReadCounts()
    seen: set[bytes] = set()
    label = f"{name} ({source.path.name})"
    dialect = CsvDialect(source.delimiter, source.quotechar, source.encoding)
    check_header(name, source, dialect)
    for line, row in read_rows(source.path, source.resolved_format, dialect):
        counts.read += 1
        if isinstance(row, BadRow):
            rejects.write(Reject(label, f"line {line}", "*", row.reason, row.raw))
            counts.rejected += 1
            continue
        if source.dedupe:
            fp = _fingerprint(row)
            if fp in seen:
                counts.duplicates += 1
                continue
            seen.add(fp)
        record_id = _record_id(source, row, line)
        try:
            for sub_row in _explode(source, row):
                _apply(source, sub_row, label, record_id, pseudonymiser, rejects, out)
        except RowRejected as exc:
            rejects.write(
                Reject(label, record_id, exc.field, exc.reason, json.dumps(row, default=str))
            )
            counts.rejected += 1
            continue
        counts.loaded += 1
    return counts


def _explode(source: SourceSpec, row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if source.explode is None:
        yield row
        return
    items = lookup(row, source.explode)
    if not isinstance(items, list) or not items:
        raise RowRejected(source.explode, "expected a non-empty list")
    for item in items:
        if not isinstance(item, dict):
            raise RowRejected(source.explode, "list element is not an object")
        yield {**item, "parent": row}


@dataclass
class _Row:
    """One row being turned into records, with where to report problems."""

    source: str
    record_id: str
    data: dict[str, Any]
    pseudonymiser: Pseudonymiser | None
    rejects: RejectsWriter
    out: Extracted
    cleaner: Cleaner | None = None
    noted: set[str] = field(default_factory=set)

    def clean(self, spec: FieldSpec) -> Any:
        if self.cleaner is not None:
            return self.cleaner(spec, self.data)
        return clean(spec, self.data, self.pseudonymiser)

    def note(self, spec: FieldSpec, reason: str) -> None:
        """An optional value that could not be used: the row loads, the value is on record."""
        name = _field_name(spec)
        if name in self.noted:  # the same column used twice (node key and profile): note once
            return
        self.noted.add(name)
        raw = lookup(self.data, spec.field) if spec.field else spec.template
        self.rejects.write(
            Reject(
                self.source, self.record_id, _field_name(spec), f"value dropped: {reason}", str(raw)
            )
        )
        self.out.field_issues += 1


def _apply(
    source: SourceSpec,
    data: dict[str, Any],
    label: str,
    record_id: str,
    pseudonymiser: Pseudonymiser | None,
    rejects: RejectsWriter,
    out: Extracted,
    cleaner: Cleaner | None = None,
) -> None:
    """Build every node and relationship of one row; all or nothing for required fields."""
    row = _Row(label, record_id, data, pseudonymiser, rejects, out, cleaner)
    keys: dict[str, str] = {}
    nodes: list[NodeRecord] = []
    profiles: dict[tuple[str, str], dict[str, Any]] = {}
    for alias, spec in source.nodes.items():
        key = _node_key(alias, spec, row)
        if key is None:
            continue
        keys[alias] = key
        nodes.append(NodeRecord(spec.label, key, _values(spec.props, row)))
        if spec.profile:
            profiles[(spec.label, key)] = _values(spec.profile, row)
    rels = [
        RelRecord(
            rel.type,
            source.nodes[rel.start].label,
            keys[rel.start],
            source.nodes[rel.end].label,
            keys[rel.end],
            _values(rel.props, row),
        )
        for rel in source.relationships
        if rel.start in keys and rel.end in keys and _holds(rel.when, data)
    ]
    out.nodes.extend(nodes)
    out.rels.extend(rels)
    for ref, profile in profiles.items():
        out.profiles.setdefault(ref, {}).update(profile)


def _holds(condition: Condition | None, data: dict[str, Any]) -> bool:
    """A relationship's ``when:``: the raw field's text is one of the listed values."""
    return condition is None or str(lookup(data, condition.field)) in condition.values


def _field_name(spec: FieldSpec) -> str:
    return spec.field or spec.template or ",".join((spec.components or {}).values()) or "?"


def _node_key(alias: str, spec: NodeSpec, row: _Row) -> str | None:
    """The node's key; ``None`` skips an optional node (noted if its value was unreadable)."""
    try:
        key = row.clean(spec.key)
    except ValueError as exc:
        if spec.optional:
            row.note(spec.key, str(exc))
            return None
        raise RowRejected(_field_name(spec.key), f"{alias} key: {exc}") from None
    if key is None or key == "":
        if spec.optional:
            return None
        raise RowRejected(_field_name(spec.key), f"{alias} key is missing")
    return str(key)


def _values(specs: dict[str, FieldSpec], row: _Row) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        try:
            value = row.clean(spec)
        except ValueError as exc:
            if spec.required:
                raise RowRejected(_field_name(spec), str(exc)) from None
            row.note(spec, str(exc))
            continue
        if value is None:
            if spec.required:
                raise RowRejected(_field_name(spec), "required value is missing")
            continue
        values.update(as_properties(name, value))
    return values


def merge_duplicates(nodes: list[NodeRecord]) -> list[NodeRecord]:
    """One record per (label, key), later properties winning: a node named by several sources
    (a user in the customer file and in every order) is written once instead of many times."""
    merged: dict[tuple[str, str], NodeRecord] = {}
    copied: set[tuple[str, str]] = set()
    for node in nodes:
        ident = (node.label, node.key)
        first = merged.get(ident)
        if first is None:
            merged[ident] = node  # seen once so far: kept as it is, no copy
            continue
        if ident not in copied:  # never change a record the caller still holds
            first = merged[ident] = NodeRecord(first.label, first.key, dict(first.props))
            copied.add(ident)
        cast(dict[str, Any], first.props).update(node.props)
    return list(merged.values())
