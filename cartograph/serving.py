"""``cartograph serve``: the composition of the HTTP service from settings — a reachable Neo4j,
the trained models, the checkout cleaner and order writer the API is given, and uvicorn on a
loopback address unless told otherwise.

The listening socket is bound here, before Neo4j is started or a model is loaded, and handed
to uvicorn: a port that is taken is one coded error (E611) at once, not an errno in uvicorn's
log after the whole service was built, and there is no window between a check and the bind.
"""

from __future__ import annotations

import atexit
import errno
import logging
import os
import socket
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from cartograph.errors import CartographError
from cartograph.runtime import pseudonymiser, resolve_target
from cartograph.settings import Settings

log = logging.getLogger(__name__)
# uvicorn pings each worker every few seconds and kills one that does not answer; a worker
# loading models on a loaded 2-core box can be slow to start, so the check waits longer.
WORKER_HEALTHCHECK_S = 60


def default_workers() -> int:
    """One worker per core this process may run on (its CPU affinity, not the machine's count):
    request handling is CPU-bound Python, so more workers than cores only add memory (each
    holds the models) and context switches."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def listen_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (not yet listening: uvicorn does that). A port in
    use is ``[E611]``; any other refusal (a privileged port, an address this machine does not
    have) is ``[E613]``, with the system's reason."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on accepted sockets whose
    # proto says TCP (``asyncio.base_events._set_nodelay``), and without it every response
    # written in two parts (headers, body) waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT is fine
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CartographError(
                f"port {port} on {host} is already in use (another `cartograph serve`?): stop "
                "it, or pass --port / set CARTOGRAPH_API_PORT",
                code="E611",
            ) from None
        raise CartographError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="E613"
        ) from None
    sock.set_inheritable(True)
    return sock


def _build_app(settings: Settings, stack: ExitStack, start: bool) -> Any:
    """The live app over the graph, its driver held open by ``stack``; ``start`` starts a
    managed Neo4j (the parent process does; workers find it running)."""
    from api.app import create_app, reader_pool_size
    from extraction.checkout import CheckoutCleaner
    from extraction.mapping import load_mapping
    from graph.async_query import AsyncReader
    from graph.connection import open_driver
    from graph.orders import ScoredOrderWriter

    # Checkouts are pseudonymised with the ingestion mapping and secret, so keys match the graph.
    cleaner = CheckoutCleaner(load_mapping(settings.ingest.mapping), pseudonymiser(settings))
    target = resolve_target(settings, start=start)
    driver = stack.enter_context(open_driver(target))
    writer = ScoredOrderWriter(driver, settings.neo4j.database)
    # The async routes' reads (order scoring, risk, analyst queries): the async driver, its pool
    # sized to what the route gates let in; opened in the server's event loop on first use.
    reader = AsyncReader(target, reader_pool_size(settings), settings.api.route_wait_s)
    return create_app(  # trained models when present
        settings, driver, live=True, checkout_cleaner=cleaner, order_writer=writer, reader=reader
    )


def worker_app() -> Any:
    """The app of one worker process (``uvicorn`` imports this factory in each spawned child).

    Settings come from the environment the parent passed down. Torch gets one intra-op
    thread: the workers are the parallelism. The driver lives as long as the process (closed
    at exit), as in the single-process server."""
    import torch

    torch.set_num_threads(1)
    stack = ExitStack()
    atexit.register(stack.close)
    app = _build_app(Settings(), stack, start=False)
    refused = getattr(app.state.ctx.provider, "refused", None)
    if refused is not None:
        log.warning("worker %d: models not loaded: %s", os.getpid(), refused)
    return app


def serve(
    settings: Settings,
    host: str | None,
    port: int | None,
    announce: Callable[[str], None],
    workers: int | None = None,
) -> None:
    """Build the app over the graph (trained models hot-swapped when present) and serve it
    until interrupted: in this process, or with ``workers`` > 1 in that many worker processes
    on the one socket. ``workers`` defaults to ``settings.api.workers``, and 0 there to one
    per core (``default_workers``)."""
    import uvicorn

    bind, bind_port = host or settings.api.host, port or settings.api.port
    n = workers if workers is not None else settings.api.workers
    n = n or default_workers()
    sock = listen_socket(bind, bind_port)
    with sock, ExitStack() as stack:
        if n == 1:
            app = _build_app(settings, stack, start=True)
            refused = getattr(app.state.ctx.provider, "refused", None)
            if refused is not None:  # served anyway (stored scores), and /ready says why: 503
                announce(f"models not loaded: {refused}")
            announce(f"Cartograph API on http://{bind}:{bind_port}/docs")
            uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
            return
        from uvicorn.supervisors import Multiprocess

        resolve_target(settings, start=True)  # a managed Neo4j is started once, here
        announce(f"Cartograph API on http://{bind}:{bind_port}/docs ({n} worker processes)")
        config = uvicorn.Config(
            "cartograph.serving:worker_app",
            factory=True,
            workers=n,
            log_level="warning",
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        )
        Multiprocess(config, sockets=[sock]).run()
