"""Bounded reads on the async driver, for services whose request handlers are coroutines.

``graph.query.run_read`` holds a thread for as long as Neo4j works on the query; a service that
answers many callers at once would need one thread per query in flight, and a slow analyst
query holds its thread for up to its whole timeout. ``AsyncReader`` runs the same bounded read
(READ transaction, a timeout Neo4j enforces, a row cap applied while streaming, the caller's
property policy, the same coded errors) on the driver's asyncio API, so a query in flight costs
a pooled connection and a suspended coroutine, nothing more.

The pool is sized by the caller (``pool_size``): the service bounds how many requests run at
once per route class, and a pool at least that large means a request that was let in never
waits for a connection; ``acquire_timeout_s`` bounds the wait if it ever has to.

An asyncio driver's connections belong to the event loop that opened them, so the reader opens
one driver per running loop, on first use: a server runs one loop for its whole life (one
driver), a test client may run several in turn. ``close`` closes the current loop's driver.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Collection, Mapping
from typing import Any

from neo4j import READ_ACCESS, AsyncDriver, AsyncGraphDatabase

from graph.connection import CONNECTION_TIMEOUT_S, Neo4jTarget
from graph.query import CappedRows, ReadResult, coded_reads

__all__ = ["AsyncReader"]


class AsyncReader:
    """Read-only queries on ``target`` through the async driver, one driver per event loop."""

    def __init__(
        self, target: Neo4jTarget, pool_size: int = 50, acquire_timeout_s: float = 10.0
    ) -> None:
        self.target, self.pool_size, self.acquire_timeout_s = target, pool_size, acquire_timeout_s
        self._drivers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncDriver] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:  # the target's repr never shows the password
        return f"AsyncReader({self.target!r}, pool_size={self.pool_size})"

    def _driver(self) -> AsyncDriver:
        loop = asyncio.get_running_loop()
        driver = self._drivers.get(loop)
        if driver is None:
            t = self.target
            driver = AsyncGraphDatabase.driver(
                t.uri,
                auth=(t.user, t.password),
                connection_timeout=CONNECTION_TIMEOUT_S,
                max_connection_pool_size=self.pool_size,
                connection_acquisition_timeout=self.acquire_timeout_s,
                notifications_min_severity="OFF",
            )
            self._drivers[loop] = driver
        return driver

    async def read(
        self,
        database: str,
        query: str,
        params: Mapping[str, Any],
        timeout_s: float,
        limit: int,
        *,
        properties: Collection[str],
    ) -> ReadResult:
        """As ``graph.query.run_read``: at most ``limit`` rows, ``truncated`` says whether more
        existed; nodes and relationships keep only ``properties``."""
        with coded_reads(timeout_s):
            session = self._driver().session(database=database, default_access_mode=READ_ACCESS)
            async with session, await session.begin_transaction(timeout=timeout_s) as tx:
                result = await tx.run(query, dict(params))
                rows = CappedRows(limit, properties)
                async for record in result:
                    if not rows.add(record):
                        break
                return rows.result(list(result.keys()))

    @property
    def open_drivers(self) -> int:
        """Drivers not yet closed (one per event loop that read and is still alive)."""
        return len(self._drivers)

    async def close(self) -> None:
        """Close the driver of the running loop (the others went with their loops)."""
        driver = self._drivers.pop(asyncio.get_running_loop(), None)
        if driver is not None:
            await driver.close()
