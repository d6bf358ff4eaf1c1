"""``cartograph serve``: the composition of the HTTP service from settings — a reachable Neo4j,
the trained models, the checkout cleaner and order writer the API is given, and uvicorn on a
loopback address unless told otherwise."""

from __future__ import annotations

from collections.abc import Callable

from cartograph.runtime import pseudonymiser, resolve_target
from cartograph.settings import Settings


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

    # Checkouts are pseudonymised with the ingestion mapping and secret, so keys match the graph.
    cleaner = CheckoutCleaner(load_mapping(settings.ingest.mapping), pseudonymiser(settings))
    target = resolve_target(settings, start=True)
    bind, bind_port = host or settings.api.host, port or settings.api.port
    with open_driver(target) as driver:
        writer = ScoredOrderWriter(driver, settings.neo4j.database)
        app = create_app(  # trained models when present
            settings, driver, live=True, checkout_cleaner=cleaner, order_writer=writer
        )
        announce(f"Cartograph API on http://{bind}:{bind_port}/docs")
        uvicorn.run(app, host=bind, port=bind_port, log_level="warning")
