"""Batched, idempotent writes: ``UNWIND $rows MERGE`` per label / relationship pattern.

Each batch runs in a managed transaction (``execute_write``), which the driver retries on transient
errors (leader switch, deadlock, lost connection); because every statement is a MERGE on a unique
key, a retried or re-run batch changes nothing twice. The driver is passed in, never built here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
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
    by_label: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))

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


class GraphWriter:
    """Loads records into one database in batches; safe to re-run on the same data."""

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
        """Upsert nodes grouped by label, ``batch_size`` rows per transaction."""
        counts = WriteCounts()
        by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for node in nodes:
            rows = by_label[node.label]
            props, times = split_times(node.props)
            rows.append({"key": node.key, "props": props, "times": times})
            if len(rows) >= self.batch_size:
                counts.add(self._flush_nodes(node.label, rows, progress))
                rows.clear()
        for label, rows in by_label.items():
            if rows:
                counts.add(self._flush_nodes(label, rows, progress))
        return counts

    def write_relationships(
        self, rels: Iterable[RelRecord], progress: Progress | None = None
    ) -> WriteCounts:
        """Upsert relationships grouped by (start label, type, end label)."""
        counts = WriteCounts()
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for rel in rels:
            rows = groups[rel.group]
            props, times = split_times(rel.props)
            rows.append(
                {"start": rel.start_key, "end": rel.end_key, "props": props, "times": times}
            )
            if len(rows) >= self.batch_size:
                counts.add(self._flush_rels(rel.group, rows, progress))
                rows.clear()
        for group, rows in groups.items():
            if rows:
                counts.add(self._flush_rels(group, rows, progress))
        return counts

    def _flush_nodes(
        self, label: str, rows: list[dict[str, Any]], progress: Progress | None
    ) -> WriteCounts:
        self.ensure_key_constraint(label)
        query = fill_identifiers(cypher.load("writes/merge_nodes"), label=label)
        stats, _ = self._run(query, rows)
        counts = WriteCounts(
            node_rows=len(rows),
            nodes_created=stats["nodes_created"],
            properties_set=stats["properties_set"],
        )
        counts.by_label[label] += len(rows)
        if progress:
            progress(len(rows))
        return counts

    def _flush_rels(
        self, group: tuple[str, str, str], rows: list[dict[str, Any]], progress: Progress | None
    ) -> WriteCounts:
        start_label, rel_type, end_label = group
        query = fill_identifiers(
            cypher.load("writes/merge_relationships"),
            start_label=start_label,
            end_label=end_label,
            type=rel_type,
        )
        stats, matched = self._run(query, rows)
        counts = WriteCounts(
            rel_rows=len(rows),
            relationships_created=stats["relationships_created"],
            properties_set=stats["properties_set"],
            missing_endpoints=len(rows) - matched,
        )
        counts.by_type[rel_type] += len(rows)
        if progress:
            progress(len(rows))
        return counts

    def _run(self, query: str, rows: list[dict[str, Any]]) -> tuple[dict[str, int], int]:
        def work(tx: ManagedTransaction) -> tuple[dict[str, int], int]:
            result = tx.run(query, rows=rows)
            record = result.single()
            matched = int(record["matched"]) if record is not None else len(rows)
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
                reachable(f"writing a batch of {len(rows)} rows"),
                self.driver.session(database=self.database) as session,
            ):
                return session.execute_write(work)
        except Neo4jError as exc:
            raise GraphWriteError(f"batch of {len(rows)} rows failed: {exc}", code="E301") from exc
