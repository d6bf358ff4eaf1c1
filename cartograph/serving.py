"""``cartograph serve``: the composition of the HTTP service from settings — a reachable Neo4j,
the trained models, the checkout cleaner and order writer the API is given, and uvicorn on a
loopback address unless told otherwise.

The listening socket is bound here, before Neo4j is started or a model is loaded, and handed
to uvicorn: a port that is taken is one coded error (E611) at once, not an errno in uvicorn's
log after the whole service was built, and there is no window between a check and the bind.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

from cartograph.errors import CartographError
from cartograph.runtime import pseudonymiser, resolve_target
from cartograph.settings import Settings


def listen_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (not yet listening: uvicorn does that). A port in
    use is ``[E611]``; any other refusal (a privileged port, an address this machine does not
    have) is ``[E613]``, with the system's reason."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
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


def serve(
    settings: Settings, host: str | None, port: int | None, announce: Callable[[str], None]
) -> None:
    """Build the app over the graph (trained models hot-swapped when present) and serve it
    until interrupted."""
    import uvicorn

    from api.app import create_app
    from extraction.checkout import CheckoutCleaner
    from extraction.mapping import load_mapping
    from graph.connection import open_driver
    from graph.orders import ScoredOrderWriter

    bind, bind_port = host or settings.api.host, port or settings.api.port
    sock = listen_socket(bind, bind_port)
    # Checkouts are pseudonymised with the ingestion mapping and secret, so keys match the graph.
    cleaner = CheckoutCleaner(load_mapping(settings.ingest.mapping), pseudonymiser(settings))
    target = resolve_target(settings, start=True)
    with sock, open_driver(target) as driver:
        writer = ScoredOrderWriter(driver, settings.neo4j.database)
        app = create_app(  # trained models when present
            settings, driver, live=True, checkout_cleaner=cleaner, order_writer=writer
        )
        refused = getattr(app.state.ctx.provider, "refused", None)
        if refused is not None:  # served anyway (stored scores), and /ready says why: 503
            announce(f"models not loaded: {refused}")
        announce(f"Cartograph API on http://{bind}:{bind_port}/docs")
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        server.run(sockets=[sock])
