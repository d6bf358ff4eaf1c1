"""The one way the API reads the graph: ``graph.query.run_read`` (READ transaction, timeout, row
cap) with the properties this service lets out, or its async twin ``read_async`` for the async
routes (``graph.async_query.AsyncReader``: no thread held while Neo4j works).

Identifier nodes carry only pseudonymous keys, but free text (review bodies, ticket subjects) can
quote personal data, and embeddings are large: only the names below leave the service. The list
is the API's policy, so it lives here and every read in ``api`` passes through ``read``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from anyio import to_thread

from graph.async_query import AsyncReader
from graph.connection import Driver
from graph.query import ReadResult, run_read

__all__ = ["SAFE_PROPERTIES", "ReadResult", "read", "read_async"]

SAFE_PROPERTIES = frozenset(
    {
        "key", "name", "title", "platform", "created_at", "status", "total", "total_currency",
        "price", "risk_score", "risk_model", "is_chargeback", "country", "rating", "intent",
        "sentiment", "score", "rank", "model", "method", "confidence", "quantity",
    }
)  # fmt: skip


def read(
    driver: Driver,
    database: str,
    query: str,
    params: Mapping[str, Any],
    timeout_s: float,
    limit: int,
) -> ReadResult:
    """``run_read`` keeping only ``SAFE_PROPERTIES`` of nodes and relationships."""
    return run_read(driver, database, query, params, timeout_s, limit, properties=SAFE_PROPERTIES)


async def read_async(
    reader: AsyncReader | None,
    driver: Driver,
    database: str,
    query: str,
    params: Mapping[str, Any],
    timeout_s: float,
    limit: int,
) -> ReadResult:
    """``read`` on the async driver; an app built without an ``AsyncReader`` (a sync driver
    alone) runs the sync read on a worker thread instead, so the event loop never blocks."""
    if reader is None:
        run = partial(read, driver, database, query, params, timeout_s, limit)
        return await to_thread.run_sync(run)
    return await reader.read(database, query, params, timeout_s, limit, properties=SAFE_PROPERTIES)
