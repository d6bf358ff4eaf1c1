"""Ingest benchmark: Cartograph's ``GraphWriter`` against Neo4j's own ``LOAD CSV`` on one graph.

Why: the writer sends every row over Bolt as a parameter, ``LOAD CSV`` reads a file on the server.
Both run the same MERGE-on-key Cypher, so the ratio of their rates is the price of the transport
and of the client, which is what the writer can still improve. Run from the repository root:

    .venv/bin/python bench/ingest.py [--elements 1000000] [--seed 7] [--repeats 1]

The benchmark starts its own Neo4j (``var/neo4j-bench``, Bolt 7689) and stops it at the end; the
developer's server on 7687 is never touched. Results go to ``bench/out/ingest.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from bench.common import (
    OUT_DIR,
    Machine,
    Stopwatch,
    bench_server,
    bench_server_config,
    command_line,
    graph_counts,
    machine_busy_seconds,
    process_cpu_seconds,
    reset_database,
    server_version,
)
from graph import server
from graph.bulk import bulk_load
from graph.connection import Driver, Neo4jTarget, open_driver
from graph.records import NodeRecord, RelRecord, fill_identifiers
from graph.server import ServerConfig
from graph.writer import GraphWriter
from testbeds.sample import SampleSize, sample_graph

console = Console(width=150)
CSV_TX_ROWS = 10_000
Rows = list[dict[str, Any]]
Group = tuple[str, ...]  # (label,) for nodes, (start label, type, end label) for relationships

# ---------------------------------------------------------------------------------------------
# The data: generated once, grouped once, written to CSV once (none of it is timed).


@dataclass(frozen=True)
class CsvFile:
    """One CSV under ``<home>/import``: a label's nodes or one (start, type, end) group."""

    name: str
    group: Group
    props: dict[str, str]  # property name -> kind (str, bool, int, float, datetime)
    rows: int


@dataclass
class Dataset:
    """The records both sides load, plus the CSV files that hold the very same rows."""

    nodes: list[NodeRecord]
    rels: list[RelRecord]
    node_files: list[CsvFile] = field(default_factory=list)
    rel_files: list[CsvFile] = field(default_factory=list)

    @property
    def elements(self) -> int:
        return len(self.nodes) + len(self.rels)


Phase = Callable[[Driver, Dataset], None]  # one timed half of a load: all nodes, or all rels


def prop_kind(value: Any) -> str:
    """The CSV round-trip needs each property's type; bool before int (bool is an int)."""
    for kind, types in (
        ("bool", bool),
        ("int", int),
        ("float", float),
        ("datetime", datetime),
        ("str", str),
    ):
        if isinstance(value, types):
            return kind
    raise TypeError(f"no CSV mapping for {type(value).__name__} value {value!r}")


def csv_text(value: Any) -> str:
    """What LOAD CSV reads back exactly: ``repr`` floats round-trip, datetimes as ISO 8601."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)


def group_kinds(props: Sequence[dict[str, Any] | Any]) -> dict[str, str]:
    """Property kinds of a group; every row must carry the same properties (no nulls in CSV)."""
    kinds = {name: prop_kind(value) for name, value in props[0].items()} if props else {}
    for p in props:
        if set(p) != set(kinds) or any(prop_kind(v) != kinds[k] for k, v in p.items()):
            raise ValueError(f"rows of one group differ in properties: {dict(p)} vs {kinds}")
    return kinds


def write_csv(path: Path, header: list[str], lines: Iterator[list[str]]) -> int:
    """Write one CSV with a header (LOAD CSV WITH HEADERS names the fields); returns the rows."""
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        count = 0
        for line in lines:
            out.writerow(line)
            count += 1
    return count


def write_csvs(data: Dataset, import_dir: Path) -> None:
    """Nodes per label and relationships per (start, type, end) into the server's import dir."""
    import_dir.mkdir(parents=True, exist_ok=True)
    for old in import_dir.glob("bench_*.csv"):
        old.unlink()
    by_label: dict[str, list[NodeRecord]] = defaultdict(list)
    for node in data.nodes:
        by_label[node.label].append(node)
    for label, nodes in by_label.items():
        kinds = group_kinds([n.props for n in nodes])
        name = f"bench_nodes_{label}.csv"
        rows = write_csv(
            import_dir / name,
            ["key", *kinds],
            ([n.key, *(csv_text(n.props[k]) for k in kinds)] for n in nodes),
        )
        data.node_files.append(CsvFile(name, (label,), kinds, rows))
    by_group: dict[tuple[str, str, str], list[RelRecord]] = defaultdict(list)
    for rel in data.rels:
        by_group[rel.group].append(rel)
    for group, rels in by_group.items():
        kinds = group_kinds([r.props for r in rels])
        name = "bench_rels_{}_{}_{}.csv".format(*group)
        rows = write_csv(
            import_dir / name,
            ["start", "end", *kinds],
            ([r.start_key, r.end_key, *(csv_text(r.props[k]) for k in kinds)] for r in rels),
        )
        data.rel_files.append(CsvFile(name, group, kinds, rows))


# ---------------------------------------------------------------------------------------------
# LOAD CSV: the server reads the files itself; same MERGE semantics as the writer's templates.

CONVERT = {
    "str": "row.{0}",
    "bool": "toBoolean(row.{0})",
    "int": "toInteger(row.{0})",
    "float": "toFloat(row.{0})",
    "datetime": "datetime(row.{0})",
}


def set_clause(var: str, props: dict[str, str]) -> str:
    """``SET n.a = toInteger(row.a), ...`` so LOAD CSV stores the types the driver would send."""
    if not props:
        return ""
    return "SET " + ", ".join(
        f"{var}.`{k}` = {CONVERT[kind].format(k)}" for k, kind in props.items()
    )


def load_csv_query(file: CsvFile, body: str) -> str:
    """Batched like the writer: 10k rows per inner transaction, each row's work in ``body``."""
    return (
        f"LOAD CSV WITH HEADERS FROM 'file:///{file.name}' AS row\n"
        f"CALL (row) {{\n{body}\n}} IN TRANSACTIONS OF {CSV_TX_ROWS} ROWS"
    )


def csv_node_query(file: CsvFile) -> str:
    """The shipped ``merge_nodes`` template's semantics: MERGE on key, then set properties."""
    body = fill_identifiers("MERGE (n:`{label}` {key: row.key})", label=file.group[0])
    return load_csv_query(file, f"{body}\n{set_clause('n', file.props)}")


def csv_rel_query(file: CsvFile, verb: str) -> str:
    """``merge_relationships`` semantics (or CREATE for the second reference row)."""
    start, rel_type, end = file.group
    body = fill_identifiers(
        "MATCH (a:`{start_label}` {key: row.start})\nMATCH (b:`{end_label}` {key: row.end})\n"
        f"{verb} (a)-[r:`{{type}}`]->(b)",
        start_label=start,
        type=rel_type,
        end_label=end,
    )
    return load_csv_query(file, f"{body}\n{set_clause('r', file.props)}")


def run_auto_commit(driver: Driver, query: str) -> None:
    """``CALL ... IN TRANSACTIONS`` only runs in an auto-commit transaction (``session.run``)."""
    with driver.session(database="neo4j") as session:
        session.run(query).consume()


def csv_nodes(driver: Driver, data: Dataset) -> None:
    """One LOAD CSV per label file, one after another (as the writer goes label by label)."""
    for file in data.node_files:
        run_auto_commit(driver, csv_node_query(file))


def csv_rels(verb: str) -> Phase:
    def load(driver: Driver, data: Dataset) -> None:
        for file in data.rel_files:
            run_auto_commit(driver, csv_rel_query(file, verb))

    return load


# ---------------------------------------------------------------------------------------------
# Cartograph's writer as shipped, and a tunable re-implementation of it for the exploration.


def graphwriter(batch: int) -> tuple[Phase, Phase]:
    """``GraphWriter`` exactly as the pipeline uses it: nodes, then relationships."""

    def nodes(driver: Driver, data: Dataset) -> None:
        GraphWriter(driver, batch_size=batch).write_nodes(data.nodes)

    def rels(driver: Driver, data: Dataset) -> None:
        GraphWriter(driver, batch_size=batch).write_relationships(data.rels)

    return nodes, rels


def bulk(cfg: ServerConfig) -> tuple[Phase, Phase]:
    """``graph.bulk.bulk_load`` as the pipeline runs it into an empty managed database: typed
    CSVs written, server stopped, ``neo4j-admin database import full``, server started, schema
    replayed. All of it is the first phase (and timed); the import has no separate rel phase."""

    def everything(driver: Driver, data: Dataset) -> None:
        password = cfg.password_file.read_text().strip()
        target = Neo4jTarget(uri=cfg.bolt_uri, user="neo4j", password=password)
        counts = bulk_load(cfg, target, data.nodes, data.rels)  # plans, then loads
        console.print(f"  bulk steps (s): {counts.steps_s}")

    def nothing(driver: Driver, data: Dataset) -> None:
        return None

    return everything, nothing


@dataclass(frozen=True)
class Variant:
    """One way of sending the same rows; every field is a knob the exploration turns.

    batch:   rows per transaction (per request unless ``server``)
    rels:    "merge" (the shipped template) or "create" (only right into an empty graph)
    threads: batches in flight at once (label groups and batches of one group alike)
    sort:    send rows sorted by key (nodes) / (start, end) (relationships)
    server:  one request per group; the server splits it with CALL { } IN TRANSACTIONS
    rust:    use the driver's Rust PackStream encoder (neo4j-rust-ext); False patches it out
    columns: send parallel lists (keys, then one list per property) instead of one map per row
    iso:     send aware datetimes as ISO strings and convert with datetime() in Cypher
    dynamic: with ``columns``: property names as a parameter, set by ``SET n[$names[j]]``
    """

    batch: int = 10_000
    rels: str = "merge"
    threads: int = 1
    sort: bool = False
    server: bool = False
    rust: bool = True
    columns: bool = False
    iso: bool = False
    dynamic: bool = False

    @classmethod
    def parse(cls, spec: str) -> Variant:
        """``batch=20000,threads=2,sort`` -> Variant; a bare name means True (``norust``: no)."""
        values: dict[str, Any] = {}
        for token in filter(None, (t.strip() for t in spec.split(","))):
            key, _, raw = token.partition("=")
            if key == "norust":
                values["rust"] = False
            elif key in ("batch", "threads"):
                values[key] = int(raw)
            elif key == "rels":
                values[key] = raw
            elif key in ("sort", "server", "columns", "iso", "dynamic"):
                values[key] = raw.lower() not in ("0", "false", "no")
            else:
                raise ValueError(f"unknown variant option {key!r} in {spec!r}")
        return cls(**values)

    @property
    def name(self) -> str:
        default = Variant()
        diff = [
            k if v is True else ("norust" if k == "rust" else f"{k}={v}")
            for k, v in asdict(self).items()
            if v != getattr(default, k)
        ]
        return "tuned" + (f"({','.join(diff)})" if diff else "")


@dataclass(frozen=True)
class Batch:
    """One request: its Cypher, its parameters and how many rows it carries."""

    query: str
    params: dict[str, Any]
    rows: int


def wrap(unwind: str, var: str, body: str, v: Variant) -> str:
    """Client batches run ``UNWIND ... body``; server mode moves the batching into Cypher."""
    if v.server:
        return f"{unwind}\nCALL ({var}) {{\n{body}\n}} IN TRANSACTIONS OF {v.batch} ROWS"
    return f"{unwind}\n{body}"


def value(name: str, v: Variant) -> str:
    """How the query reads a row's field: ``row.x`` from a list of maps, ``$p_x[i]`` by column."""
    return f"$p_{name}[i]" if v.columns else f"row.`{name}`"


def set_props(var: str, kinds: dict[str, str], v: Variant) -> str:
    """The SET part. ``iso``: datetimes arrive as ISO strings and ``datetime()`` parses them.

    By column every property is named in the text, or (``dynamic``) only in a ``$names`` list
    that a FOREACH walks with Cypher 5.26's dynamic ``SET n[k]``. With maps, ``+= row.props``
    takes the plain ones and a dynamic ``SET n[k]`` the datetimes from ``row.times``.
    """
    if v.columns and v.dynamic:
        return dynamic_sets(var, kinds, v)
    if v.columns:
        sets = [
            f"{var}.`{p}` = "
            + (f"datetime({value(p, v)})" if v.iso and k == "datetime" else value(p, v))
            for p, k in kinds.items()
        ]
        return f"\nSET {', '.join(sets)}" if sets else ""
    text = f"\nSET {var} += row.props"
    if v.iso and "datetime" in kinds.values():
        text += f"\nFOREACH (k IN keys(row.times) | SET {var}[k] = datetime(row.times[k]))"
    return text


def dynamic_sets(var: str, kinds: dict[str, str], v: Variant) -> str:
    """Property names as data: one generic template for any label, no names in Cypher text.

    Both FOREACH clauses are always there (empty lists for a label without properties), so this
    is exactly the static template the notes propose for ``cypher/writes``.
    """
    time_fn = "datetime" if v.iso else ""
    return (
        f"\nFOREACH (j IN range(0, size($names) - 1) | "
        f"SET {var}[$names[j]] = $values[j][i])"
        f"\nFOREACH (j IN range(0, size($time_names) - 1) | "
        f"SET {var}[$time_names[j]] = {time_fn}($time_values[j][i]))"
    )


def node_query(label: str, kinds: dict[str, str], v: Variant) -> str:
    """MERGE on key for one label; ``kinds`` (property -> kind) only matters by column."""
    unwind, var = (
        ("UNWIND range(0, size($p_key) - 1) AS i", "i")
        if v.columns
        else ("UNWIND $rows AS row", "row")
    )
    body = f"MERGE (n:`{{label}}` {{key: {value('key', v)}}})" + set_props("n", kinds, v)
    return fill_identifiers(wrap(unwind, var, body, v), label=label)


def rel_query(group: Group, kinds: dict[str, str], v: Variant) -> str:
    """MATCH both endpoints on key, MERGE (or CREATE) the relationship, as the shipped template.

    Client batches keep the template's ``RETURN count(r)`` (the writer reports missing
    endpoints with it), so a variant is not faster just for skipping it.
    """
    verb = "CREATE" if v.rels == "create" else "MERGE"
    unwind, var = (
        ("UNWIND range(0, size($p_start) - 1) AS i", "i")
        if v.columns
        else ("UNWIND $rows AS row", "row")
    )
    body = (
        f"MATCH (a:`{{start_label}}` {{key: {value('start', v)}}})\n"
        f"MATCH (b:`{{end_label}}` {{key: {value('end', v)}}})\n"
        f"{verb} (a)-[r:`{{type}}`]->(b)" + set_props("r", kinds, v)
    )
    if not v.server:
        body += "\nRETURN count(r) AS matched"
    start, rel_type, end = group
    return fill_identifiers(
        wrap(unwind, var, body, v), start_label=start, type=rel_type, end_label=end
    )


def wire(x: Any, v: Variant) -> Any:
    """``iso``: an aware datetime leaves as a string; the driver's own conversion is pure Python."""
    return x.isoformat() if v.iso and isinstance(x, datetime) and x.tzinfo else x


def map_row(r: tuple[Any, ...], fields: list[str], v: Variant) -> dict[str, Any]:
    """One map per row, as the shipped writer sends (``{key, props}``, plus ``times`` if iso)."""
    row: dict[str, Any] = dict(zip(fields, r, strict=False))
    props = dict(r[-1])
    if v.iso:
        row["times"] = {k: wire(x, v) for k, x in props.items() if wire(x, v) is not x}
        for k in row["times"]:
            del props[k]
    row["props"] = props
    return row


def column_params(part: list[tuple[Any, ...]], fields: list[str], v: Variant) -> dict[str, Any]:
    """One list per field: no per-row dicts to build in Python, no repeated keys on the wire.

    Assumes every row of the group has the same property names (true of the sample graph; a
    writer would group rows by label *and* property-name set to keep ``+=`` semantics).
    """
    params: dict[str, Any] = {f"p_{f}": [r[i] for r in part] for i, f in enumerate(fields)}
    names = list(part[0][-1]) if part else []
    columns = {p: [wire(r[-1][p], v) for r in part] for p in names}
    if not v.dynamic:
        return params | {f"p_{p}": col for p, col in columns.items()}
    times = [p for p in names if v.iso and isinstance(part[0][-1][p], datetime)]
    plain = [p for p in names if p not in times]
    return params | {
        "names": plain,
        "values": [columns[p] for p in plain],
        "time_names": times,
        "time_values": [columns[p] for p in times],
    }


def chunk_params(
    rows: list[tuple[Any, ...]], fields: list[str], v: Variant
) -> Iterator[tuple[dict[str, Any], int]]:
    """Parameters per request: ``rows`` holds (key fields..., props) tuples of one group."""
    size = len(rows) if v.server else v.batch
    for at in range(0, len(rows), size):
        part = rows[at : at + size]
        params = (
            column_params(part, fields, v)
            if v.columns
            else {"rows": [map_row(r, fields, v) for r in part]}
        )
        yield params, len(part)


def first_kinds(rows: list[tuple[Any, ...]]) -> dict[str, str]:
    """Property kinds of a group, from its first row (``column_params`` assumes one shape)."""
    return {k: prop_kind(x) for k, x in rows[0][-1].items()} if rows else {}


def node_batches(nodes: list[NodeRecord], v: Variant) -> Iterator[Batch]:
    """Group by label like ``GraphWriter.write_nodes``, then cut each group into requests."""
    groups: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for node in nodes:
        groups[node.label].append((node.key, node.props))
    for label, rows in groups.items():
        if v.sort:
            rows.sort(key=lambda r: r[0])
        query = node_query(label, first_kinds(rows), v)
        for params, n in chunk_params(rows, ["key"], v):
            yield Batch(query, params, n)


def rel_batches(rels: list[RelRecord], v: Variant) -> Iterator[Batch]:
    """Group by (start, type, end) like ``write_relationships``, then cut into requests."""
    groups: dict[tuple[str, str, str], list[tuple[str, str, Any]]] = defaultdict(list)
    for rel in rels:
        groups[rel.group].append((rel.start_key, rel.end_key, rel.props))
    for group, rows in groups.items():
        if v.sort:
            rows.sort(key=lambda r: (r[0], r[1]))
        query = rel_query(group, first_kinds(rows), v)
        for params, n in chunk_params(rows, ["start", "end"], v):
            yield Batch(query, params, n)


def send(driver: Driver, batch: Batch, server_side: bool) -> None:
    """Client batches in a retried managed transaction (as GraphWriter); server mode auto-commit."""
    with driver.session(database="neo4j") as session:
        if server_side:
            session.run(batch.query, batch.params).consume()
        else:
            session.execute_write(lambda tx: tx.run(batch.query, batch.params).consume())


def send_all(driver: Driver, batches: Iterator[Batch], v: Variant) -> None:
    """In order, or ``threads`` at a time (all batches are built up front then: a bench only)."""
    if v.threads <= 1:
        for batch in batches:
            send(driver, batch, v.server)
        return
    with ThreadPoolExecutor(max_workers=v.threads) as pool:
        for future in [pool.submit(send, driver, b, v.server) for b in batches]:
            future.result()


@contextmanager
def python_packstream(enabled: bool) -> Iterator[None]:
    """Swap the driver's Rust encoder for its pure-Python one (private API: exploration only)."""
    if not enabled:
        yield
        return
    from neo4j._codec.packstream import v1  # private API: only for this experiment

    def pure_python(self: Any, data: Any, dehydration_hooks: Any = None) -> None:
        self._py_pack(data, dehydration_hooks)

    original = v1.Packer._pack
    v1.Packer._pack = pure_python  # type: ignore[method-assign]
    try:
        yield
    finally:
        v1.Packer._pack = original  # type: ignore[method-assign]


def tuned(v: Variant) -> tuple[Phase, Phase]:
    """The bench's own writer loop: same grouping and MERGE semantics, ``v``'s encoding."""

    def nodes(driver: Driver, data: Dataset) -> None:
        with python_packstream(not v.rust):
            send_all(driver, node_batches(data.nodes, v), v)

    def rels(driver: Driver, data: Dataset) -> None:
        with python_packstream(not v.rust):
            send_all(driver, rel_batches(data.rels, v), v)

    return nodes, rels


# ---------------------------------------------------------------------------------------------
# The harness: same empty database, same schema, same data for every contender.


@dataclass(frozen=True)
class Contender:
    name: str
    description: str
    nodes: Phase
    rels: Phase
    restarts_server: bool = False  # bulk: the server's pid changes, its JVM starts cold


@dataclass
class Result:
    """One timed load; CPU seconds show whether the client or the server was the bottleneck."""

    contender: str
    description: str
    elements: int
    node_s: float
    rel_s: float
    client_cpu_s: float
    server_cpu_s: float
    other_cpu_s: float
    counts: dict[str, dict[str, int]]
    fingerprint: list[Any]
    ratio: float | None = None
    cpu_ratio: float | None = None

    @property
    def seconds(self) -> float:
        return self.node_s + self.rel_s

    @property
    def rate(self) -> float:
        return self.elements / self.seconds

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 3), "rate": round(self.rate, 1)}


@dataclass(frozen=True)
class Cost:
    """Wall seconds of one phase and the CPU seconds the client, server and everything else used."""

    wall: float
    client: float
    server: float
    other: float

    def __add__(self, o: Cost) -> Cost:
        return Cost(
            self.wall + o.wall, self.client + o.client, self.server + o.server, self.other + o.other
        )


def timed_phase(phase: Phase, driver: Driver, data: Dataset, pid: int | None) -> Cost:
    """Run one phase; ``other`` is machine CPU not used by this process or the server."""
    cpu0, srv0, all0 = time.process_time(), process_cpu_seconds(pid), machine_busy_seconds()
    with Stopwatch() as watch:
        phase(driver, data)
    wall = watch.seconds
    client, srv = time.process_time() - cpu0, process_cpu_seconds(pid) - srv0
    return Cost(wall, client, srv, max(0.0, machine_busy_seconds() - all0 - client - srv))


def _children_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


def _is_child(pid: int | None) -> bool:
    try:
        return (
            pid is not None
            and int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            == os.getpid()
        )
    except (OSError, ValueError, IndexError):
        return False


def timed_restart_phase(phase: Phase, driver: Driver, data: Dataset, cfg: ServerConfig) -> Cost:
    """A phase that stops the server, runs ``neo4j-admin`` and starts a new server.

    Server CPU = the old server's CPU during the phase (its whole life is added to this
    process's reaped-children time when ``stop`` collects it, so its CPU before the phase is
    taken off) + the import JVM (a reaped child too) + the new server's whole life so far.
    """
    old = server.read_pid(cfg)
    old_before, old_is_child = process_cpu_seconds(old), _is_child(old)
    cpu0, kids0, all0 = time.process_time(), _children_cpu(), machine_busy_seconds()
    with Stopwatch() as watch:
        phase(driver, data)
    client = time.process_time() - cpu0
    reaped = _children_cpu() - kids0 - (old_before if old_is_child else 0.0)
    srv = reaped + process_cpu_seconds(server.read_pid(cfg))
    return Cost(watch.seconds, client, srv, max(0.0, machine_busy_seconds() - all0 - client - srv))


def run_contender(c: Contender, driver: Driver, data: Dataset, cfg: ServerConfig) -> Result:
    """Empty database + schema, nodes then relationships (timed apart), then what was built."""
    reset_s = reset_database(driver)
    console.print(f"[dim]{c.name}: database reset in {reset_s:.1f}s, loading...[/dim]")
    if c.restarts_server:
        nodes = timed_restart_phase(c.nodes, driver, data, cfg)
        rels = Cost(0.0, 0.0, 0.0, 0.0)
        driver = open_driver(target_of(cfg))  # new store: the old driver's bookmarks are void
    else:
        pid = server.read_pid(cfg)
        nodes = timed_phase(c.nodes, driver, data, pid)
        rels = timed_phase(c.rels, driver, data, pid)
    total = nodes + rels
    result = Result(
        c.name,
        c.description,
        data.elements,
        nodes.wall,
        rels.wall,
        total.client,
        total.server,
        total.other,
        graph_counts(driver),
        property_fingerprint(driver),
    )
    if c.restarts_server:
        driver.close()
    console.print(
        f"  nodes {nodes.wall:.1f}s  rels {rels.wall:.1f}s  total {result.seconds:.1f}s"
        f"  {result.rate:,.0f} elements/s  (cpu: client {total.client:.1f}s, server "
        f"{total.server:.1f}s, other processes {total.other:.1f}s)"
    )
    return result


def check_counts(results: list[Result], data: Dataset) -> None:
    """Every contender must have built the same graph, or its rate means nothing."""
    expected_nodes, expected_rels = len(data.nodes), len(data.rels)
    for r in results:
        nodes = sum(r.counts["nodes"].values())
        rels = sum(r.counts["relationships"].values())
        console.print(f"  {r.contender:<40} nodes {nodes:>9,}  relationships {rels:>9,}")
        if (nodes, rels) != (expected_nodes, expected_rels) or r.counts != results[0].counts:
            raise SystemExit(
                f"count mismatch: {r.contender} built {r.counts}, expected "
                f"{expected_nodes} nodes / {expected_rels} relationships "
                f"like {results[0].contender}: {results[0].counts}"
            )
        if r.fingerprint != results[0].fingerprint:
            raise SystemExit(
                f"property mismatch: {r.contender} stored {r.fingerprint}, "
                f"{results[0].contender} stored {results[0].fingerprint}"
            )


FINGERPRINT_KEYS = ["U000001", "U000002", "O0000001", "O0000002", "P000001"]


def property_fingerprint(driver: Driver) -> list[Any]:
    """Some nodes' and relationships' properties with their Cypher types, to compare contenders.

    Counts alone would not catch one side storing ``created_at`` as a string and the other as a
    DateTime; ``valueType`` does.
    """
    records, _, _ = driver.execute_query(
        "MATCH (n) WHERE (n:User OR n:Order OR n:Product) AND n.key IN $keys "
        "OPTIONAL MATCH (n)-[r]->(m) "
        "WITH n, collect([type(r), m.key, [k IN keys(r) | [k, valueType(r[k]), r[k]]]]) AS out "
        "RETURN n.key AS key, [k IN keys(n) | [k, valueType(n[k]), toString(n[k])]] AS props, "
        "out",
        keys=FINGERPRINT_KEYS,
        database_="neo4j",
    )
    return sorted([r["key"], sorted(r["props"]), sorted(r["out"], key=str)] for r in records)


# ---------------------------------------------------------------------------------------------
# Contenders by name, report, command line.

BASELINE = "csv-merge"
RECOMMENDED = "tuned:columns,iso,dynamic"  # what docs/bench-ingest-notes.md proposes for the writer
DEFAULT_CONTENDERS = ["csv-merge", "writer", "bulk"]


def target_of(cfg: ServerConfig) -> Neo4jTarget:
    return Neo4jTarget(cfg.bolt_uri, "neo4j", cfg.password_file.read_text().strip())


def make_contender(name: str, batch: int, cfg: ServerConfig) -> Contender:
    """``writer``, ``writer@N`` (batch N), ``csv-merge``, ``csv-create``, ``bulk``,
    ``tuned:SPEC``."""
    if name == "bulk":
        return Contender(
            name,
            "graph.bulk.bulk_load: CSVs + neo4j-admin database import full + restart + schema",
            *bulk(cfg),
            restarts_server=True,
        )
    if name == "csv-merge":
        return Contender(
            name,
            "LOAD CSV, MERGE nodes + MATCH/MATCH/MERGE rels, 10k rows/tx",
            csv_nodes,
            csv_rels("MERGE"),
        )
    if name == "csv-create":
        return Contender(
            name,
            "LOAD CSV, MERGE nodes + MATCH/MATCH/CREATE rels, 10k rows/tx",
            csv_nodes,
            csv_rels("CREATE"),
        )
    if name == "writer" or name.startswith("writer@"):
        size = int(name.partition("@")[2] or batch)
        return Contender(
            f"writer@{size}", f"graph.writer.GraphWriter(batch_size={size})", *graphwriter(size)
        )
    if name.startswith("tuned"):
        v = Variant.parse(name.partition(":")[2])
        return Contender(v.name, "bench re-implementation of the writer, " + repr(v), *tuned(v))
    raise SystemExit(f"unknown contender {name!r}")


def median_runs(results: list[Result]) -> list[Result]:
    """Per contender, the run with the median total time (the lower middle one for even n)."""
    by_name: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_name[r.contender].append(r)
    chosen = [
        sorted(runs, key=lambda r: r.seconds)[(len(runs) - 1) // 2] for runs in by_name.values()
    ]
    base = next((r for r in chosen if r.contender == BASELINE), None)
    for r in chosen:
        r.ratio = r.rate / base.rate if base else None
        r.cpu_ratio = cpu_seconds(base) / cpu_seconds(r) if base else None
    return chosen


def cpu_seconds(r: Result) -> float:
    """Client + server CPU: on a shared machine a steadier cost than wall time.

    Each loader runs one request at a time, so client and server mostly take turns; with the
    machine to itself, wall time is close to this sum (checked on a quiet run: 0.60 vs 0.61).
    """
    return r.client_cpu_s + r.server_cpu_s


COLUMNS = (
    "contender",
    "elements",
    "nodes s",
    "rels s",
    "seconds",
    "elements/s",
    "ratio",
    "cpu ratio",
    "client cpu s",
    "server cpu s",
    "other cpu s",
)


def table_row(r: Result) -> list[str]:
    """One result as the table's cells, in ``COLUMNS`` order."""

    def ratio(x: float | None) -> str:
        return "-" if x is None else f"{x:.2f}"

    return [
        r.contender,
        f"{r.elements:,}",
        f"{r.node_s:.1f}",
        f"{r.rel_s:.1f}",
        f"{r.seconds:.1f}",
        f"{r.rate:,.0f}",
        ratio(r.ratio),
        ratio(r.cpu_ratio),
        f"{r.client_cpu_s:.1f}",
        f"{r.server_cpu_s:.1f}",
        f"{r.other_cpu_s:.1f}",
    ]


def print_table(rows: list[Result], repeats: int) -> None:
    """The results, the writer's ratio, and a warning for each run a shared machine disturbed."""
    table = Table(
        title=f"Ingest, median of {repeats} run(s); ratio = rate / {BASELINE} rate; "
        f"cpu ratio = {BASELINE} CPU s / (client + server CPU s)"
    )
    for col in COLUMNS:
        table.add_column(col, justify="left" if col == "contender" else "right")
    for r in rows:
        table.add_row(*table_row(r))
    console.print(table)
    for r in rows:
        if r.ratio is not None and r.contender.startswith(("writer", "bulk")):
            console.print(
                f"[bold]{r.contender} / {BASELINE}: {r.ratio:.2f} by wall time, "
                f"{r.cpu_ratio:.2f} by CPU time[/bold]"
            )
        if r.other_cpu_s > 0.1 * r.seconds:
            console.print(
                f"[yellow]{r.contender}: other processes used {r.other_cpu_s:.0f} "
                f"CPU s during its {r.seconds:.0f} s; the machine was shared, the "
                "rate is noisy[/yellow]"
            )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options; the defaults are the documented benchmark (1M elements, seed 7)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--elements",
        type=int,
        default=1_000_000,
        help="approximate nodes + relationships to generate (default 1,000,000)",
    )
    p.add_argument("--seed", type=int, default=7, help="sample graph seed (default 7)")
    p.add_argument("--repeats", type=int, default=1, help="runs per contender; median reported")
    p.add_argument("--batch-size", type=int, default=10_000, help="GraphWriter batch size")
    p.add_argument(
        "--contenders",
        nargs="+",
        default=DEFAULT_CONTENDERS,
        help="writer, writer@N, csv-merge, csv-create, bulk, tuned:SPEC (SPEC: "
        "batch=N,threads=N,rels=create,sort,server,columns,iso,dynamic,norust)",
    )
    p.add_argument(
        "--warmup",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="load the data once untimed first, so no contender pays for JIT "
        "warm-up and store-file growth (default on)",
    )
    p.add_argument(
        "--keep-server",
        action="store_true",
        help="leave the bench server running afterwards (for repeated exploration)",
    )
    p.add_argument("--out", type=Path, default=OUT_DIR / "ingest.json")
    return p.parse_args(argv)


def prepare(args: argparse.Namespace, import_dir: Path) -> Dataset:
    """Generate the graph and its CSV twin once; neither is part of any timing."""
    with Stopwatch() as generating:
        nodes, rels = sample_graph(SampleSize.for_elements(args.elements), seed=args.seed)
        data = Dataset(nodes, rels)
    with Stopwatch() as writing:
        write_csvs(data, import_dir)
    console.print(
        f"generated {len(nodes):,} nodes + {len(rels):,} relationships = "
        f"{data.elements:,} elements in {generating.seconds:.1f}s; CSV files "
        f"({len(data.node_files)} node, {len(data.rel_files)} rel) in "
        f"{writing.seconds:.1f}s"
    )
    return data


def run_all(args: argparse.Namespace, cfg: ServerConfig, data: Dataset) -> list[Result]:
    """Warm up, then every contender ``repeats`` times, rotating the order each round.

    Rotation spreads slow moments of a shared machine (and any drift of the store after repeated
    deletes) over all contenders instead of always hitting the same one. A contender that
    restarts the server (``bulk``) runs last in its round, and the next round warms the new
    JVM up again, so no other contender is timed on a cold server. Each contender gets a
    fresh driver (a restart voids the old one's bookmarks).
    """
    contenders = [make_contender(name, args.batch_size, cfg) for name in args.contenders]
    steady = [c for c in contenders if not c.restarts_server]
    restarting = [c for c in contenders if c.restarts_server]
    results: list[Result] = []
    for repeat in range(args.repeats):
        if args.warmup and (repeat == 0 or restarting):
            with open_driver(target_of(cfg)) as driver:
                warm_up(driver, data, args.batch_size)
        at = repeat % len(steady) if steady else 0
        for contender in steady[at:] + steady[:at] + restarting:
            with open_driver(target_of(cfg)) as driver:
                results.append(run_contender(contender, driver, data, cfg))
    return results


def warm_up(driver: Driver, data: Dataset, batch_size: int) -> None:
    """One untimed load, so no contender pays for JIT warm-up and store-file growth."""
    console.print("[dim]warm-up: one untimed load (LOAD CSV, then the writer's nodes)[/dim]")
    reset_database(driver)
    csv_nodes(driver, data)
    csv_rels("CREATE")(driver, data)
    reset_database(driver)
    graphwriter(batch_size)[0](driver, data)


def save(
    path: Path,
    args: argparse.Namespace,
    rows: list[Result],
    runs: list[Result],
    neo4j: dict[str, str],
) -> None:
    """Results plus what is needed to judge and rerun them: machine, versions, command line."""
    report = {
        "command": command_line(),
        "machine": Machine.here().as_dict(),
        "neo4j": neo4j,
        "elements": args.elements,
        "seed": args.seed,
        "repeats": args.repeats,
        "baseline": BASELINE,
        "summary": [r.as_dict() for r in rows],
        "runs": [r.as_dict() for r in runs],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    console.print(f"wrote {path}")


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, start the bench server, run, stop the server (always), check, report."""
    args = parse_args(argv)
    cfg = bench_server_config()
    console.print(f"machine: {Machine.here()}")
    data = prepare(args, cfg.home / "import")
    with bench_server(cfg, keep=args.keep_server) as driver:
        neo4j = {
            "version": server_version(driver),
            "heap": cfg.heap,
            "pagecache": cfg.pagecache,
            "bolt": cfg.bolt_uri,
        }
        console.print(f"neo4j: {neo4j}")
        runs = run_all(args, cfg, data)
    console.print("counts per contender (must all match the generated records):")
    check_counts(runs, data)
    rows = median_runs(runs)
    print_table(rows, args.repeats)
    save(args.out, args, rows, runs, neo4j)
    return 0


if __name__ == "__main__":
    sys.exit(main())
