"""Batched, idempotent writes: ``UNWIND`` over columns, ``MERGE`` per label / relationship pattern.

Each batch runs in a managed transaction (``execute_write``), which the driver retries on transient
errors (leader switch, deadlock, lost connection); because every statement is a MERGE on a unique
key, a retried or re-run batch changes nothing twice. The driver is passed in, never built here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from typing import Any, TypeVar

from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import DriverError, Neo4jError

import cypher
from cartograph.errors import GraphWriteError
from graph.records import NodeRecord, RelRecord, check_identifier, fill_identifiers

T = TypeVar("T")
R = TypeVar("R", NodeRecord, RelRecord)
Progress = Callable[[int], None]


@dataclass
class WriteCounts:
    """What a load did: rows sent, and what Neo4j reports it created or set."""

    node_rows: int = 0
    rel_rows: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    missing_endpoints: int = 0
    write_mode: str = "incremental"  # or "bulk" (graph.bulk: neo4j-admin import into empty)
    by_label: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # seconds per step of a bulk load (plan, files, stop, import, start, schema): where it went
    steps_s: dict[str, float] = field(default_factory=dict)

    def add(self, other: WriteCounts) -> None:
        for name in (
            "node_rows",
            "rel_rows",
            "nodes_created",
            "relationships_created",
            "properties_set",
            "missing_endpoints",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.by_label.items():
            self.by_label[k] += v
        for k, v in other.by_type.items():
            self.by_type[k] += v

    def as_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in vars(self).items() if not isinstance(v, dict)},
            "by_label": dict(self.by_label),
            "by_type": dict(self.by_type),
            **({"steps_s": dict(self.steps_s)} if self.steps_s else {}),
        }


def split_times(props: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Fixed-offset datetimes leave as ISO-8601 strings (parsed by ``datetime()`` in Cypher), the
    rest as they are. Halves the client's cost of a load with timestamps (bench/ingest.py);
    ``zoneinfo`` datetimes stay with the driver so their zone id is kept."""
    plain: dict[str, Any] = {}
    times: dict[str, str] = {}
    for name, value in props.items():
        if isinstance(value, datetime) and isinstance(value.tzinfo, timezone):
            times[name] = value.isoformat()
        else:
            plain[name] = value
    return plain, times


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


@contextmanager
def reachable(doing: str) -> Iterator[None]:
    """Turn "the server went away" (killed, restarted, network cut; after the driver's retries)
    into a coded error. Every write is a MERGE, so re-running the same load completes it."""
    try:
        yield
    except DriverError as exc:
        raise GraphWriteError(
            f"Neo4j became unreachable while {doing} ({type(exc).__name__}: {exc}); what was "
            "committed is kept, and re-running the same ingestion once Neo4j is back completes "
            "it without duplicates",
            code="E302",
        ) from exc


def apply_schema(driver: Driver, database: str = "neo4j") -> int:
    """Run every ``cypher/schema/*.cypher`` statement (all ``IF NOT EXISTS``); returns the count."""
    count = 0
    with reachable("applying the schema"):
        for name in cypher.names("schema"):
            for statement in cypher.statements(cypher.load(name)):
                driver.execute_query(statement, database_=database)
                count += 1
        driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    return count


def clear_database(driver: Driver, database: str = "neo4j") -> None:
    """Empty the database, keeping constraints and indexes (for rebuilding a demo graph)."""
    with driver.session(database=database) as session:
        for statement in cypher.statements(cypher.load("writes/clear_database")):
            session.run(statement).consume()


Shape = tuple[str, tuple[str, ...]]  # (label, sorted property names)
RelShape = tuple[tuple[str, str, str], tuple[str, ...]]  # ((start, type, end), property names)


def _is_fixed_datetime(value: Any) -> bool:
    return isinstance(value, datetime) and isinstance(value.tzinfo, timezone)


def property_columns(props: Sequence[Mapping[str, Any]], names: Sequence[str]) -> dict[str, Any]:
    """One list per property for a batch whose rows all carry ``names``: the parameters of the
    ``merge_*`` templates (``names``/``values``, ``time_names``/``time_values``).

    Why columns: a map per row costs a Python dict per row and repeats every key on the wire;
    one list per field is 3-5x cheaper to encode (bench/ingest.py). A column of fixed-offset
    datetimes (``None`` allowed) travels as ISO-8601 strings, because the driver converts a
    datetime in pure Python (~36 µs each) and ``datetime()`` in Cypher does not; ``zoneinfo``
    datetimes stay with the driver so their zone id is kept."""
    cols: dict[str, Any] = {"names": [], "values": [], "time_names": [], "time_values": []}
    for name in names:
        column = [p[name] for p in props]
        if any(v is not None for v in column) and all(
            v is None or _is_fixed_datetime(v) for v in column
        ):
            cols["time_names"].append(name)
            cols["time_values"].append([None if v is None else v.isoformat() for v in column])
        else:
            cols["names"].append(name)
            cols["values"].append(column)
    return cols


def node_params(batch: Sequence[NodeRecord]) -> dict[str, Any]:
    """``merge_nodes`` parameters for nodes of one label that carry the same property names."""
    names = sorted(batch[0].props) if batch else []
    return {"keys": [n.key for n in batch], **property_columns([n.props for n in batch], names)}


def rel_params(batch: Sequence[RelRecord]) -> dict[str, Any]:
    """``merge_relationships`` parameters for one (start, type, end) group and one name set."""
    names = sorted(batch[0].props) if batch else []
    return {
        "starts": [r.start_key for r in batch],
        "ends": [r.end_key for r in batch],
        **property_columns([r.props for r in batch], names),
    }


class _OneInFlight:
    """One batch at the server while the caller builds the next.

    A batch's columns are built (client CPU) while the previous batch runs on the server, so the
    client's share of a load overlaps the server's instead of adding to it. Never more than one
    batch is in flight: batches commit in the order they were submitted, as before ("last record
    wins" holds), and no two of our transactions contend for the same locks."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph-writer")
        self._pending: Future[WriteCounts] | None = None
        self.counts = WriteCounts()

    def submit(self, work: Callable[[], WriteCounts]) -> None:
        self.wait()
        self._pending = self._pool.submit(work)

    def wait(self) -> None:
        """Until the batch in flight is done; its error, if any, is raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self.counts.add(pending.result())

    def __enter__(self) -> _OneInFlight:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.wait()
        finally:
            self._pool.shutdown(wait=True)


class GraphWriter:
    """Loads records into one database in batches; safe to re-run on the same data.

    Rows are batched by label (relationships: by (start, type, end)) *and* by the set of
    property names they carry, so each batch can go as columns while a property that a record
    lacks is still left alone on the stored node. Within one call the last record for a key
    wins, as with one map per row: a key pending in a batch of another shape is flushed first.
    """

    def __init__(self, driver: Driver, database: str = "neo4j", batch_size: int = 10_000) -> None:
        self.driver = driver
        self.database = database
        self.batch_size = batch_size
        self._constrained: set[str] = set()

    def ensure_key_constraint(self, label: str) -> None:
        """Mapping-file labels need the same unique key the built-in ones have, or MERGE scans."""
        if label in self._constrained:
            return
        check_identifier(label, "label")
        query = fill_identifiers(
            cypher.load("writes/key_constraint"), label=label, name=f"{label.lower()}_key"
        )
        with reachable(f"creating the {label} key constraint"):
            self.driver.execute_query(query, database_=self.database)
            self.driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)
        self._constrained.add(label)

    def write_nodes(
        self, nodes: Iterable[NodeRecord], progress: Progress | None = None
    ) -> WriteCounts:
        """Upsert nodes grouped by label and property names, ``batch_size`` rows a transaction."""
        return self._write_grouped(
            nodes,
            lambda n: (n.label, tuple(sorted(n.props))),
            lambda n: (n.label, n.key),
            self._flush_nodes,
            progress,
        )

    def write_relationships(
        self, rels: Iterable[RelRecord], progress: Progress | None = None
    ) -> WriteCounts:
        """Upsert relationships grouped by (start label, type, end label) and property names."""
        return self._write_grouped(
            rels,
            lambda r: (r.group, tuple(sorted(r.props))),
            lambda r: (r.group, r.start_key, r.end_key),
            self._flush_rels,
            progress,
        )

    def _write_grouped(
        self,
        items: Iterable[R],
        shape_of: Callable[[R], Any],
        ref_of: Callable[[R], Any],
        flush: Callable[[_OneInFlight, Any, list[R], Progress | None], None],
        progress: Progress | None,
    ) -> WriteCounts:
        """Batches by shape (group and property names); a record whose key waits in a batch of
        another shape flushes that batch first, so the last record for a key wins."""
        groups: dict[Any, list[R]] = {}
        pending: dict[Any, Any] = {}  # ref -> the shape of the batch holding it
        flight = _OneInFlight()

        def send(shape: Any, batch: list[R]) -> None:
            for item in batch:
                pending.pop(ref_of(item), None)
            flush(flight, shape, batch, progress)

        with flight:
            for item in items:
                shape, ref = shape_of(item), ref_of(item)
                other = pending.get(ref)
                if other is not None and other != shape:
                    send(other, groups.pop(other))
                batch = groups.setdefault(shape, [])
                batch.append(item)
                pending[ref] = shape
                if len(batch) >= self.batch_size:
                    send(shape, groups.pop(shape))
            for shape, batch in list(groups.items()):
                send(shape, batch)
        return flight.counts

    def _flush_nodes(
        self,
        flight: _OneInFlight,
        shape: Shape,
        batch: list[NodeRecord],
        progress: Progress | None,
    ) -> None:
        label = shape[0]
        if label not in self._constrained:
            flight.wait()  # a schema change does not run beside our own write
            self.ensure_key_constraint(label)
        query = fill_identifiers(cypher.load("writes/merge_nodes"), label=label)
        params = node_params(batch)

        def work() -> WriteCounts:
            stats, _ = self._run(query, params, len(batch))
            counts = WriteCounts(
                node_rows=len(batch),
                nodes_created=stats["nodes_created"],
                properties_set=stats["properties_set"],
            )
            counts.by_label[label] += len(batch)
            if progress:
                progress(len(batch))
            return counts

        flight.submit(work)

    def _flush_rels(
        self,
        flight: _OneInFlight,
        shape: RelShape,
        batch: list[RelRecord],
        progress: Progress | None,
    ) -> None:
        start_label, rel_type, end_label = shape[0]
        query = fill_identifiers(
            cypher.load("writes/merge_relationships"),
            start_label=start_label,
            end_label=end_label,
            type=rel_type,
        )
        params = rel_params(batch)

        def work() -> WriteCounts:
            stats, matched = self._run(query, params, len(batch))
            counts = WriteCounts(
                rel_rows=len(batch),
                relationships_created=stats["relationships_created"],
                properties_set=stats["properties_set"],
                missing_endpoints=len(batch) - matched,
            )
            counts.by_type[rel_type] += len(batch)
            if progress:
                progress(len(batch))
            return counts

        flight.submit(work)

    def _run(self, query: str, params: dict[str, Any], n_rows: int) -> tuple[dict[str, int], int]:
        def work(tx: ManagedTransaction) -> tuple[dict[str, int], int]:
            result = tx.run(query, params)
            record = result.single()
            matched = int(record["matched"]) if record is not None else n_rows
            c = result.consume().counters
            return (
                {
                    "nodes_created": c.nodes_created,
                    "relationships_created": c.relationships_created,
                    "properties_set": c.properties_set,
                },
                matched,
            )

        try:
            with (
                reachable(f"writing a batch of {n_rows} rows"),
                self.driver.session(database=self.database) as session,
            ):
                return session.execute_write(work)
        except Neo4jError as exc:
            raise GraphWriteError(f"batch of {n_rows} rows failed: {exc}", code="E301") from exc
