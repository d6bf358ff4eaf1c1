"""A first load into an empty managed database with ``neo4j-admin database import full``.

Why: the offline importer writes the store files directly, with no transactions, no MERGE and
no index look-up per row, so it is several times faster than any Cypher loader (bench/ingest.py
``bulk`` against ``LOAD CSV`` MERGE). It can only fill an empty, stopped database, which is
exactly the managed server's state before a demo or a first ``cartograph ingest``; every later
load goes through ``GraphWriter`` (MERGE, idempotent). Both paths build the same graph: one node
per (label, key) with the last record's properties winning, one relationship per (start, type,
end), relationships whose endpoints were never written dropped and counted
(tests/integration/test_bulk.py compares the two on the same data).

The import files hold (pseudonymised) records, so they go to a fresh 0700 directory under the
server's home and are deleted afterwards, whatever happens.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from neo4j.exceptions import Neo4jError

from cartograph.errors import GraphWriteError
from graph import server as managed
from graph.connection import Driver, Neo4jTarget, open_driver
from graph.records import NodeRecord, RelRecord, check_identifier
from graph.server import ServerConfig, find_java
from graph.writer import GraphWriter, WriteCounts, reachable

WriteMode = Literal["auto", "bulk", "incremental"]
WRITE_MODES: tuple[str, ...] = ("auto", "bulk", "incremental")
ARRAY_DELIMITER = "\x1f"  # ASCII unit separator: never in the built-in data, checked per value
_PROPERTY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # safe in an import header (no ':' etc.)
_LONG = (-(2**63), 2**63 - 1)
Kinds = tuple[tuple[str, str], ...]  # ((property, import type), ...) sorted by property


class BulkUnsupported(GraphWriteError):
    """The records hold something the import format cannot say exactly as the driver would."""

    code = "E315"


def _scalar_kind(value: Any) -> str | None:
    """The importer's type for a value, or None when it cannot store it as the driver would."""
    exact = type(value)  # the common types first, without walking isinstance checks
    if exact is str:
        return "string"
    if exact is float:
        return "double" if math.isfinite(value) else None
    if exact is int:
        return "long" if _LONG[0] <= value <= _LONG[1] else None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long" if _LONG[0] <= value <= _LONG[1] else None
    if isinstance(value, float):
        return "double" if math.isfinite(value) else None
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return "localdatetime"
        return "datetime" if isinstance(value.tzinfo, timezone | ZoneInfo) else None
    if isinstance(value, date):
        return "date"
    return None


def value_kind(value: Any) -> str | None:
    """``long``, ``string[]``, ...; lists must be non-empty and of one kind (as Neo4j stores)."""
    if type(value) is str:
        return "string"
    if isinstance(value, list | tuple):
        kinds = {_scalar_kind(v) for v in value}
        if len(kinds) != 1 or None in kinds:
            return None
        (kind,) = kinds
        if kind == "string" and any(ARRAY_DELIMITER in v for v in value):
            return None
        return f"{kind}[]"
    return _scalar_kind(value)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        text = value.isoformat()
        if isinstance(value.tzinfo, ZoneInfo):
            text += f"[{value.tzinfo.key}]"  # the zone id survives, as with the driver
        return text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def cell(value: Any) -> str:
    """One CSV field. Strings are always quoted, so ``""`` is an empty string and an unquoted
    empty field is no property at all (the importer's rule); ``repr`` floats round-trip."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, list | tuple):
        return _quote(ARRAY_DELIMITER.join(_scalar_text(v) for v in value))
    return _scalar_text(value)


def _kinds(props: Mapping[str, Any], what: str, names: set[str]) -> Kinds:
    """The file a record goes to; ``names`` are the property names already found safe (a
    graph has few, its records many: each name is matched once)."""
    kinds = []
    for name in sorted(props):
        value = props[name]
        kind = value_kind(value)
        if kind is None or (name not in names and not _safe_name(name, names)):
            raise BulkUnsupported(
                f"{what} property {name!r} ({type(value).__name__}) has no exact form in "
                "the import format; load with --write-mode incremental"
            )
        kinds.append((name, kind))
    return tuple(kinds)


# Value types whose import type the type alone decides; others (a float's finiteness, an int's
# range, a datetime's zone, a list's elements) are checked per column (``_uniform``).
_TYPE_DECIDES = frozenset({str, bool, date})


def _shape(owner: Any, props: Mapping[str, Any]) -> tuple[Any, ...]:
    """A record's bucket: its label or relationship group, property names and value types."""
    return (owner, *props, *map(type, props.values()))


def _drop_none(shapes: dict[tuple[Any, ...], list[Any]]) -> dict[tuple[Any, ...], list[Any]]:
    """An explicit None removes a property (MERGE + SET): the shapes that hold one (their
    types name ``NoneType``) are bucketed again without it; the rest pass untouched."""
    if not any(type(None) in shape for shape in shapes):
        return shapes
    out: dict[tuple[Any, ...], list[Any]] = {}
    for shape, rows in shapes.items():
        if type(None) not in shape:
            out.setdefault(shape, []).extend(rows)
            continue
        for row in rows:
            kept = _without_none(row[-1])
            out.setdefault(_shape(shape[0], kept), []).append((*row[:-1], kept))
    return out


def _by_kinds(shapes: dict[tuple[Any, ...], list[Any]], names: set[str]) -> dict[Any, list[Any]]:
    """Rows (props last) bucketed by shape, ``(label or group, *names, *value types)``, into
    import files by ``(label or group, kinds)``. A graph has a few shapes and millions of rows:
    a shape's kinds come from its first row, the names are checked once, and only what the
    types do not decide is checked per column (finite doubles, longs in range, zones, list
    elements). A shape that fails a check goes row by row, which names the bad value."""
    files: dict[Any, list[Any]] = {}  # (label or group, kinds) -> rows
    for shape, rows in shapes.items():
        owner = shape[0]
        what = owner if isinstance(owner, str) else owner[1]  # a label, or a group's type
        kinds = _kinds(rows[0][-1], what, names)
        if _uniform(rows, kinds):
            files.setdefault((owner, kinds), []).extend(rows)
            continue
        for row in rows:
            files.setdefault((owner, _kinds(row[-1], what, names)), []).append(row)
    return files


def _uniform(rows: list[Any], kinds: Kinds) -> bool:
    """Every row of one shape has the first row's kinds (each column checked in one pass)."""
    for name, kind in kinds:
        if type(rows[0][-1][name]) in _TYPE_DECIDES:
            continue
        column = [row[-1][name] for row in rows]
        if kind == "double":
            ok = all(map(math.isfinite, column))
        elif kind == "long":
            ok = _LONG[0] <= min(column) and max(column) <= _LONG[1]
        else:
            ok = all(value_kind(v) == kind for v in column)
        if not ok:
            return False
    return True


def _safe_name(name: str, names: set[str]) -> bool:
    if not _PROPERTY.match(name) or name == "key":
        return False
    names.add(name)
    return True


@dataclass
class ImportPlan:
    """The records after MERGE semantics: one row per (label, key) / (start, type, end), grouped
    by property kinds so each file has one header. Built before the server is touched, so a
    record the format cannot hold stops nothing (``BulkUnsupported``)."""

    nodes: dict[tuple[str, Kinds], list[tuple[str, Mapping[str, Any]]]] = field(
        default_factory=dict
    )
    rels: dict[tuple[tuple[str, str, str], Kinds], list[tuple[str, str, Mapping[str, Any]]]] = (
        field(default_factory=dict)
    )
    counts: WriteCounts = field(default_factory=WriteCounts)
    multiline: bool = False  # set by write_import_files: a field holds a line break

    @property
    def labels(self) -> set[str]:
        return {label for label, _ in self.nodes}


def _without_none(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """An explicit None removes a property (MERGE + SET); most records hold none to drop."""
    if None not in props.values():
        return props
    return {k: v for k, v in props.items() if v is not None}


def _merge_into(
    merged: dict[Any, Mapping[str, Any]],
    owned: dict[Any, dict[str, Any]],
    key: Any,
    props: Mapping[str, Any],
) -> None:
    """Later values win. A key seen once keeps the record's own props (never mutated): after
    dedupe every key is seen once, and a copy per record was gigabytes at ``large``."""
    prev = merged.get(key)
    if prev is None:
        merged[key] = props
        return
    mine = owned.get(key)
    if mine is None:
        mine = owned[key] = dict(prev)
        merged[key] = mine
    mine.update(props)


def plan_import(nodes: Iterable[NodeRecord], rels: Iterable[RelRecord]) -> ImportPlan:
    """Merge duplicates as the writer's MERGE + SET would (later values win, an explicit None
    removes), drop relationships without both endpoints, check every value's kind."""
    plan = ImportPlan()
    counts = plan.counts
    counts.write_mode = "bulk"
    merged: dict[tuple[str, str], Mapping[str, Any]] = {}
    owned: dict[Any, dict[str, Any]] = {}  # keys seen twice: our copy of their props
    checked: set[Any] = set()  # labels and relationship groups already checked
    names: set[str] = set()  # property names already checked
    for node in nodes:
        label = node.label
        if label not in checked:
            checked.add(check_identifier(label, "label"))
        ident = (label, node.key)
        if ident in merged:
            _merge_into(merged, owned, ident, node.props)
        else:  # the common case after dedupe, without a call
            merged[ident] = node.props
        counts.node_rows += 1
        counts.by_label[label] += 1
    shapes: dict[tuple[Any, ...], list[Any]] = {}
    for (label, key), props in merged.items():
        shapes.setdefault(_shape(label, props), []).append((key, props))
    plan.nodes = _by_kinds(_drop_none(shapes), names)
    counts.properties_set += sum(len(k) * len(rows) for (_, k), rows in plan.nodes.items())
    counts.nodes_created = len(merged)
    edges: dict[tuple[tuple[str, str, str], str, str], Mapping[str, Any]] = {}
    for rel in rels:
        counts.rel_rows += 1
        counts.by_type[rel.type] += 1
        if (rel.start_label, rel.start_key) not in merged or (
            rel.end_label,
            rel.end_key,
        ) not in merged:
            counts.missing_endpoints += 1
            continue
        group = rel.group
        if group not in checked:
            for name in group:
                check_identifier(name, "label or type")
            checked.add(group)
        edge = (group, rel.start_key, rel.end_key)
        if edge in edges:
            _merge_into(edges, owned, edge, rel.props)
        else:
            edges[edge] = rel.props
    shapes = {}
    for (group, start_key, end_key), props in edges.items():
        shapes.setdefault(_shape(group, props), []).append((start_key, end_key, props))
    plan.rels = _by_kinds(_drop_none(shapes), names)
    counts.properties_set += sum(len(k) * len(rows) for (_, k), rows in plan.rels.items())
    counts.relationships_created = len(edges)
    return plan


def _write_rows(path: Path, header: list[str], lines: Iterable[str]) -> bool:
    """One import file; True when a quoted field spans lines, which the importer must then
    parse with ``--multiline-fields`` (slower: it stops splitting a file across threads)."""
    breaks = False
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for line in lines:
            breaks = breaks or "\n" in line or "\r" in line
            fh.write(line + "\n")
    return breaks


def write_import_files(plan: ImportPlan, folder: Path) -> list[str]:
    """One CSV per (label or group, property kinds), with the importer's typed header; returns
    the ``--nodes`` / ``--relationships`` arguments that name them, and sets ``plan.multiline``
    when any field (node or relationship) holds a line break."""
    args: list[str] = []
    plan.multiline = False
    for n, ((label, kinds), rows) in enumerate(plan.nodes.items()):
        path = folder / f"nodes_{n}.csv"
        names = [name for name, _ in kinds]
        header = [f"key:ID({label})", *(f"{name}:{kind}" for name, kind in kinds)]
        lines = (",".join([_quote(key), *(cell(props[p]) for p in names)]) for key, props in rows)
        plan.multiline |= _write_rows(path, header, lines)
        args.append(f"--nodes={label}={path}")
    for n, (((start, rel_type, end), kinds), edges) in enumerate(plan.rels.items()):
        path = folder / f"rels_{n}.csv"
        names = [name for name, _ in kinds]
        header = [f":START_ID({start})", f":END_ID({end})"]
        header += [f"{name}:{kind}" for name, kind in kinds]
        lines = (
            ",".join([_quote(s), _quote(e), *(cell(props[p]) for p in names)])
            for s, e, props in edges
        )
        plan.multiline |= _write_rows(path, header, lines)
        args.append(f"--relationships={rel_type}={path}")
    return args


def database_is_empty(driver: Driver, database: str) -> bool:
    with reachable("checking whether the database is empty"):
        records, _, _ = driver.execute_query(
            "MATCH (n) RETURN 1 AS one LIMIT 1", database_=database
        )
    return not records


def _schema_statements(driver: Driver, database: str) -> list[str]:
    """Constraints and indexes the empty database already had: the import replaces the store,
    so they are replayed afterwards (token look-up indexes come with every new store)."""
    statements: list[str] = []
    with reachable("reading the schema"):
        records, _, _ = driver.execute_query(
            "SHOW CONSTRAINTS YIELD createStatement RETURN createStatement", database_=database
        )
        statements += [r["createStatement"] for r in records]
        records, _, _ = driver.execute_query(
            "SHOW INDEXES YIELD type, owningConstraint, createStatement "
            "WHERE type <> 'LOOKUP' AND owningConstraint IS NULL RETURN createStatement",
            database_=database,
        )
        statements += [r["createStatement"] for r in records]
    return statements


def choose_write_mode(
    mode: str, target: Neo4jTarget, server: ServerConfig | None
) -> tuple[str, str]:
    """``(bulk | incremental, why)``. ``auto`` is bulk exactly when the target is the managed
    server (whose files and JDK Cartograph has) and its database holds no node; ``bulk`` insists
    and says why it cannot (E312, E313)."""
    if mode not in WRITE_MODES:
        raise GraphWriteError(f"write mode {mode!r} is not one of {WRITE_MODES}", code="E316")
    if mode == "incremental":
        return "incremental", "asked for"
    if not target.managed or server is None:
        if mode == "bulk":
            raise GraphWriteError(
                "--write-mode bulk needs the managed Neo4j (neo4j-admin runs on its files); "
                f"{target.uri} is not it: use --write-mode incremental",
                code="E312",
            )
        return "incremental", "not the managed server"
    with open_driver(target) as driver:
        empty = database_is_empty(driver, target.database)
    if not empty:
        if mode == "bulk":
            raise GraphWriteError(
                f"--write-mode bulk needs an empty database; {target.database!r} has nodes "
                "(an import would replace them): use --write-mode incremental",
                code="E313",
            )
        return "incremental", "the database has nodes"
    return "bulk", "managed server, empty database"


def run_import(
    cfg: ServerConfig,
    database: str,
    file_args: Sequence[str],
    folder: Path,
    multiline: bool = True,
) -> float:
    """``neo4j-admin database import full`` from the assembled jars, the server stopped; returns
    its seconds. Strict: a bad row or an unknown endpoint fails the import (E314)."""
    java = find_java()
    cmd = [
        str(java),
        "-cp",
        f"{cfg.home.resolve() / 'lib'}/*",
        f"-Dbasedir={cfg.home.resolve()}",
        "org.neo4j.server.startup.Neo4jAdminCommand",
        "database",
        "import",
        "full",
        database,
        "--overwrite-destination=true",
        f"--multiline-fields={str(multiline).lower()}",
        "--array-delimiter=U+001F",
        "--skip-bad-relationships=false",
        "--skip-duplicate-nodes=false",
        f"--report-file={folder / 'import.report'}",
        *file_args,
    ]
    env = {
        **os.environ,
        "NEO4J_HOME": str(cfg.home.resolve()),
        "NEO4J_CONF": str(cfg.home.resolve() / "conf"),
    }
    t0 = time.perf_counter()
    log = folder / "import.log"
    with log.open("w") as out:
        result = subprocess.run(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, check=False, cwd=folder
        )
    if result.returncode != 0:
        raise GraphWriteError(
            f"neo4j-admin database import failed (exit {result.returncode}); the database is "
            f"left empty and the server restarted:\n{log.read_text(errors='replace')[-2000:]}",
            code="E314",
        )
    return time.perf_counter() - t0


def bulk_load(
    cfg: ServerConfig,
    target: Neo4jTarget,
    nodes: Iterable[NodeRecord],
    rels: Iterable[RelRecord],
    plan: ImportPlan | None = None,
) -> WriteCounts:
    """Plan, stop the server, import, start it again, then constraints: the ones the database
    had, and a key constraint per imported label (what ``GraphWriter`` would have made).

    The caller has checked that the database is empty (``choose_write_mode``); it is checked
    again here because the import replaces whatever is there."""
    t0 = time.perf_counter()
    steps: dict[str, float] = {}
    if plan is None:
        plan = plan_import(nodes, rels)
        steps["plan_s"] = _lap(steps, t0)
    with open_driver(target) as driver:
        if not database_is_empty(driver, target.database):
            raise GraphWriteError(
                f"bulk import needs an empty database; {target.database!r} has nodes",
                code="E313",
            )
        schema = _schema_statements(driver, target.database)
    (cfg.home / "run").mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bulk-import-", dir=cfg.home / "run"))  # mode 0700
    failed: GraphWriteError | None = None
    try:
        file_args = write_import_files(plan, folder)
        steps["prepare_s"] = _lap(steps, t0)  # emptiness check, schema read, CSV files
        managed.stop(cfg)
        steps["stop_s"] = _lap(steps, t0)
        try:
            run_import(cfg, target.database, file_args, folder, plan.multiline)
        except GraphWriteError as exc:
            failed = exc
        finally:
            steps["import_s"] = _lap(steps, t0)
            managed.start(cfg)
            steps["start_s"] = _lap(steps, t0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with open_driver(target) as driver:  # the schema comes back even when the import failed
        _restore_schema(driver, target.database, schema, set() if failed else plan.labels)
    steps["schema_s"] = _lap(steps, t0)
    if failed is not None:
        raise failed
    plan.counts.steps_s = steps
    return plan.counts


def _lap(steps: dict[str, float], t0: float) -> float:
    """Seconds since the last recorded step (``t0`` for the first): where a bulk load goes."""
    return round(time.perf_counter() - t0 - sum(steps.values()), 3)


def _restore_schema(driver: Driver, database: str, schema: list[str], labels: set[str]) -> None:
    with reachable("restoring the schema after the import"):
        for statement in schema:
            try:
                driver.execute_query(statement, database_=database)
            except Neo4jError as exc:
                if "EquivalentSchemaRule" not in (exc.code or "") and "already exists" not in str(
                    exc
                ):
                    raise GraphWriteError(
                        f"re-creating the schema after the import failed: {exc}", code="E314"
                    ) from exc
    writer = GraphWriter(driver, database)
    for label in sorted(labels):
        writer.ensure_key_constraint(label)


__all__ = [
    "ARRAY_DELIMITER",
    "WRITE_MODES",
    "BulkUnsupported",
    "ImportPlan",
    "WriteMode",
    "bulk_load",
    "cell",
    "choose_write_mode",
    "database_is_empty",
    "plan_import",
    "run_import",
    "value_kind",
    "write_import_files",
]
