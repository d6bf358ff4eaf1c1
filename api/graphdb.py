"""Read-only access to Neo4j for the API: one bounded transaction per request, JSON-ready values.

Every query the API runs goes through ``run_read``: a READ-mode transaction (Neo4j refuses writes
in it), a server-side timeout, and a row cap enforced while streaming, so neither a slow query nor
a huge result can tie up the service. (The ``neo4j`` import belongs in ``graph/``; this module is
the seam to move there as ``graph.reader.run_read``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neo4j.exceptions import ClientError, DatabaseUnavailable, ServiceUnavailable, SessionExpired

from api.errors import GraphUnavailable, InvalidInput, QueryTimeout
from graph.connection import Driver

# Properties that may leave the service. Identifier nodes carry only pseudonymous keys, but free
# text (review bodies, ticket subjects) can quote personal data, and embeddings are large.
SAFE_PROPERTIES = frozenset(
    {
        "key", "name", "title", "platform", "created_at", "status", "total", "total_currency",
        "price", "risk_score", "risk_model", "is_chargeback", "country", "rating", "intent",
        "sentiment", "score", "rank", "model", "method", "confidence", "quantity",
    }
)  # fmt: skip


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
) -> ReadResult:
    """Run one query read-only; at most ``limit`` rows, ``truncated`` says whether more existed."""
    try:
        with (
            driver.session(database=database, default_access_mode="READ") as session,
            session.begin_transaction(timeout=timeout_s) as tx,
        ):
            result = tx.run(query, dict(params))
            columns = list(result.keys())
            rows: list[dict[str, Any]] = []
            truncated = False
            for record in result:
                if len(rows) == limit:
                    truncated = True
                    break
                rows.append({k: to_json(v) for k, v in record.items()})
            return ReadResult(columns, rows, truncated)
    except UnicodeEncodeError as exc:
        # JSON may carry a lone surrogate ("\ud800"): valid for Python, not sendable to Neo4j.
        raise InvalidInput(f"a value is not valid Unicode text: {exc.reason}") from exc
    except (ServiceUnavailable, SessionExpired, DatabaseUnavailable) as exc:
        # DatabaseUnavailable: the server answers but the database is shutting down or still
        # recovering after a restart; for the caller that is the same outage as a dead server.
        raise GraphUnavailable(f"Neo4j is not reachable: {exc}") from exc
    except ClientError as exc:
        if "TransactionTimedOut" in (exc.code or "") or "Terminated" in (exc.code or ""):
            raise QueryTimeout(
                f"the query ran longer than {timeout_s:g} s and was stopped"
            ) from exc
        raise


def to_json(value: Any) -> Any:
    """Neo4j values as JSON: nodes and relationships keep only safe properties, paths become
    node and relationship lists, temporal values ISO-8601 strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if hasattr(value, "relationships") and hasattr(value, "nodes"):  # Path
        return {
            "nodes": [to_json(n) for n in value.nodes],
            "relationships": [to_json(r) for r in value.relationships],
        }
    if hasattr(value, "labels") and hasattr(value, "element_id"):  # Node
        return {"labels": sorted(value.labels), **_safe(value)}
    if hasattr(value, "start_node") and hasattr(value, "type"):  # Relationship
        return {
            "type": value.type,
            "start": value.start_node["key"] if value.start_node is not None else None,
            "end": value.end_node["key"] if value.end_node is not None else None,
            **_safe(value),
        }
    if hasattr(value, "iso_format"):  # neo4j.time DateTime, Date, Time, Duration
        return value.iso_format()
    return str(value)


def _safe(entity: Any) -> dict[str, Any]:
    return {k: to_json(v) for k, v in entity.items() if k in SAFE_PROPERTIES}
