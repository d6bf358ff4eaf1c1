"""Bounded concurrency per route class, so one kind of traffic cannot starve another.

The routes are synchronous and share one worker-thread pool (anyio's default holds 40 threads).
Without a bound, a burst of heavy analyst queries (each up to ``query_timeout_s`` in Neo4j)
takes every thread, and checkout scoring, which answers in milliseconds, waits behind them.
So each route class gets its own gate: at most ``limit`` requests in flight, up to ``queue``
more waiting (first come, first served) for at most ``wait_s``; past that the caller gets 503
E612 with ``Retry-After`` at once, which a client can act on, instead of a timeout.

Classes: ``analyst`` (``/analyst/queries``), ``scoring`` (recommendations, link and order
scores, risk), ``admin`` (``/admin``: one reload at a time). Health, readiness, docs and
Browser assets pass ungated: a probe must answer while the service is saturated.

A pure ASGI middleware counting on the event loop (no locks needed: one loop, no awaits between
a check and its update); waiters are futures of the loop they run on.

Behind the gates, the routes that read the graph per request (order scoring, order and user
risk, analyst queries) are coroutines on the async Neo4j driver: a query in flight holds a
pooled connection, not a thread. What they compute (the fraud model's forward pass, building
the answer) runs on worker threads through ``CpuSlots``, at most ``slots`` at a time, so the
event loop keeps accepting and answering while a model runs, and a burst of scoring queues
for the CPU instead of oversubscribing it.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from anyio import CapacityLimiter, to_thread
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import body

CODE = "E612"
T = TypeVar("T")
_CLASSES = (("/analyst/", "analyst"), ("/admin/", "admin"))
_SCORING = ("/users/", "/links/", "/orders/")


def route_class(path: str) -> str | None:
    """The gate a request path goes through; ``None``: ungated."""
    for prefix, name in _CLASSES:
        if path.startswith(prefix):
            return name
    return "scoring" if path.startswith(_SCORING) else None


@dataclass
class Gate:
    """At most ``limit`` holders; ``queue`` more may wait up to ``wait_s`` each."""

    limit: int
    queue: int
    wait_s: float
    active: int = 0

    def __post_init__(self) -> None:
        self.waiters: deque[asyncio.Future[None]] = deque()

    async def enter(self) -> bool:
        """True once a slot is held (call ``leave`` after); False when the queue is full or
        the wait ran out."""
        if self.active < self.limit and not self.waiters:
            self.active += 1
            return True
        if len(self.waiters) >= self.queue:
            return False
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(fut)
        try:
            await asyncio.wait_for(asyncio.shield(fut), self.wait_s)
        except TimeoutError:
            if fut.done():  # handed a slot just as the wait ran out: keep it
                return True
            self._drop(fut)
            return False
        except BaseException:  # the request itself was cancelled (the client went away)
            if fut.done():
                self.leave()
            else:
                self._drop(fut)
            raise
        return True

    def _drop(self, fut: asyncio.Future[None]) -> None:
        fut.cancel()
        self.waiters.remove(fut)

    def leave(self) -> None:
        """Hand the slot to the longest waiter, or free it."""
        while self.waiters:
            fut = self.waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                return
        self.active -= 1


class RouteLimits:
    """The gates in front of the app (``gates``: route class → ``Gate``)."""

    def __init__(self, app: ASGIApp, gates: dict[str, Gate]) -> None:
        self.app, self.gates = app, gates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = route_class(scope.get("path", "")) if scope["type"] == "http" else None
        gate = self.gates.get(name) if name else None
        if gate is None:
            await self.app(scope, receive, send)
            return
        if not await gate.enter():
            message = (
                f"too many {name} requests in flight ({gate.limit} running, {gate.queue} "
                "waiting): retry shortly"
            )
            retry = str(max(1, math.ceil(gate.wait_s)))
            response = JSONResponse(body(CODE, message), 503, headers={"Retry-After": retry})
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            gate.leave()


class CpuSlots:
    """CPU work off the event loop, at most ``slots`` calls at once (the rest wait their turn).

    anyio binds a limiter to the loop that first uses it, so there is one per running loop (a
    server has one; a test client may run several in turn)."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
            weakref.WeakKeyDictionary()
        )

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        limiter = self._limiters.get(loop)
        if limiter is None:
            limiter = self._limiters[loop] = CapacityLimiter(self.slots)
        return await to_thread.run_sync(partial(fn, *args), limiter=limiter)
