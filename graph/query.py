"""Bounded reads: one READ transaction per call, a server-side timeout, a row cap, JSON-ready rows.

Every query a service runs on behalf of a caller goes through ``run_read``: READ mode (Neo4j
refuses writes in it), a timeout Neo4j enforces itself, and a row cap applied while streaming, so
neither a slow query nor a huge result can tie up the caller. Driver failures become coded
``CartographError`` subclasses, so the layers above compare classes and never see ``neo4j``.

Which node and relationship properties may leave is the caller's policy (``properties``): free
text can quote personal data and embeddings are large, and only the service knows its audience.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from neo4j.exceptions import ClientError, DatabaseUnavailable, ServiceUnavailable, SessionExpired

from cartograph.errors import (
    CartographError,
    GraphUnavailableError,
    InvalidInputError,
    QueryTimeoutError,
)
from graph.connection import Driver, read_session

# What a read can fail with that ``coded_error`` may turn into a coded error.
READ_ERRORS = (UnicodeEncodeError, ServiceUnavailable, SessionExpired, DatabaseUnavailable,
               ClientError)  # fmt: skip


@dataclass(frozen=True)
class ReadResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool


def run_read(
    driver: Driver,
    database: str,
    query: str,
    params: Mapping[str, Any],
    timeout_s: float,
    limit: int,
    *,
    properties: Collection[str],
) -> ReadResult:
    """Run one query read-only; at most ``limit`` rows, ``truncated`` says whether more existed.
    Nodes and relationships in the rows keep only ``properties``."""
    with (
        coded_reads(timeout_s),
        read_session(driver, database) as session,
        session.begin_transaction(timeout=timeout_s) as tx,
    ):
        result = tx.run(query, dict(params))
        rows = CappedRows(limit, properties)
        for record in result:
            if not rows.add(record):
                break
        return rows.result(list(result.keys()))


class CappedRows:
    """Rows collected while streaming, at most ``limit``: the sync and the async reader
    (``graph.async_query``) differ only in how they iterate, so the cap lives here once."""

    def __init__(self, limit: int, properties: Collection[str]) -> None:
        self.limit, self.properties = limit, properties
        self.rows: list[dict[str, Any]] = []
        self.truncated = False

    def add(self, record: Any) -> bool:
        """Keep ``record``; ``False`` (and ``truncated``) once a row past the cap arrives."""
        if len(self.rows) == self.limit:
            self.truncated = True
            return False
        self.rows.append({k: to_json(v, self.properties) for k, v in record.items()})
        return True

    def result(self, columns: list[str]) -> ReadResult:
        return ReadResult(columns, self.rows, self.truncated)


@contextmanager
def coded_reads(timeout_s: float) -> Iterator[None]:
    """Driver failures inside the block re-raised as the coded errors ``coded_error`` names;
    anything else unchanged. A plain context manager, so coroutines use it too."""
    try:
        yield
    except READ_ERRORS as exc:
        coded = coded_error(exc, timeout_s)
        if coded is None:
            raise
        raise coded from exc


def coded_error(exc: BaseException, timeout_s: float) -> CartographError | None:
    """The coded error a failed read answers (``None``: not one of ours, re-raise it as is)."""
    if isinstance(exc, UnicodeEncodeError):
        # JSON may carry a lone surrogate ("\ud800"): valid for Python, not sendable to Neo4j.
        return InvalidInputError(f"a value is not valid Unicode text: {exc.reason}")
    if isinstance(exc, ServiceUnavailable | SessionExpired | DatabaseUnavailable):
        # DatabaseUnavailable: the server answers but the database is shutting down or still
        # recovering after a restart; for the caller that is the same outage as a dead server.
        return GraphUnavailableError(f"Neo4j is not reachable: {exc}")
    code = getattr(exc, "code", None) or ""
    if isinstance(exc, ClientError) and ("TransactionTimedOut" in code or "Terminated" in code):
        return QueryTimeoutError(f"the query ran longer than {timeout_s:g} s and was stopped")
    return None


def to_json(value: Any, properties: Collection[str]) -> Any:
    """Neo4j values as JSON: nodes and relationships keep only ``properties``, paths become
    node and relationship lists, temporal values ISO-8601 strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [to_json(v, properties) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v, properties) for k, v in value.items()}
    if hasattr(value, "relationships") and hasattr(value, "nodes"):  # Path
        return {
            "nodes": [to_json(n, properties) for n in value.nodes],
            "relationships": [to_json(r, properties) for r in value.relationships],
        }
    if hasattr(value, "labels") and hasattr(value, "element_id"):  # Node
        return {"labels": sorted(value.labels), **_kept(value, properties)}
    if hasattr(value, "start_node") and hasattr(value, "type"):  # Relationship
        return {
            "type": value.type,
            "start": value.start_node["key"] if value.start_node is not None else None,
            "end": value.end_node["key"] if value.end_node is not None else None,
            **_kept(value, properties),
        }
    if hasattr(value, "iso_format"):  # neo4j.time DateTime, Date, Time, Duration
        return value.iso_format()
    return str(value)


def _kept(entity: Any, properties: Collection[str]) -> dict[str, Any]:
    return {k: to_json(v, properties) for k, v in entity.items() if k in properties}
