"""``cartograph serve``: the composition of the HTTP service from settings — a reachable Neo4j,
the trained models, and uvicorn on a loopback address unless told otherwise."""

from __future__ import annotations

from collections.abc import Callable

from cartograph.runtime import resolve_target
from cartograph.settings import Settings


def serve(
    settings: Settings, host: str | None, port: int | None, announce: Callable[[str], None]
) -> None:
    """Build the app over the graph (trained models hot-swapped when present) and serve it
    until interrupted."""
    import uvicorn

    from api.app import create_app
    from graph.connection import open_driver

    target = resolve_target(settings, start=True)
    bind, bind_port = host or settings.api.host, port or settings.api.port
    with open_driver(target) as driver:
        app = create_app(settings, driver, live=True)
        announce(f"Cartograph API on http://{bind}:{bind_port}/docs")
        uvicorn.run(app, host=bind, port=bind_port, log_level="warning")
