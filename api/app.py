"""The app factory: settings, a driver and a model provider in, a FastAPI application out.

The driver is passed in (the CLI or a test owns its lifetime), so the factory never starts
servers or reads the environment itself. So are the pieces of online order scoring that belong
to other layers: the ``checkout_cleaner`` (``extraction.checkout``, holding the pseudonym secret)
and the ``order_writer`` (``graph.orders``); ``api.orders`` types them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from api.concurrency import CpuSlots, Gate, RouteLimits
from api.deps import AppContext
from api.errors import install_handlers
from api.keys import KeyStore
from api.limits import BodyLimit
from api.orders import CheckoutCleaner, OrderWriter
from api.provider import ModelProvider, StoredScoresProvider
from api.routes import admin, analyst, browser, health, scoring
from api.schemas import ErrorBody
from cartograph.settings import Settings
from cypher.spec import catalogue
from graph.async_query import AsyncReader
from graph.connection import Driver
from graph.orders import ScoredOrderWriter

ERRORS = {c: {"model": ErrorBody} for c in (400, 401, 403, 404, 409, 413, 422, 503)}


def create_app(
    settings: Settings,
    driver: Driver,
    provider: ModelProvider | None = None,
    keys: KeyStore | None = None,
    live: bool = False,
    checkout_cleaner: CheckoutCleaner | None = None,
    order_writer: OrderWriter | None = None,
    reader: AsyncReader | None = None,
) -> FastAPI:
    """A ready-to-serve app; ``provider`` defaults to scores stored in the graph, or with
    ``live`` to the trained models of ``settings.train.models_dir``, hot-swapped (``api.live``).
    A live app scores new orders only with a ``checkout_cleaner``; ``order_writer`` defaults
    to writing through ``driver``. ``reader`` (the async driver, ``pool_size`` at least
    ``reader_pool_size(settings)``) serves the async routes' reads; without one they read
    through ``driver`` on worker threads."""
    api = settings.api
    cpu = CpuSlots(api.cpu_concurrency)
    if provider is None and live:
        from api.live import hot_swap

        writer = order_writer or ScoredOrderWriter(driver, settings.neo4j.database)
        provider = hot_swap(settings, driver, checkout_cleaner, writer, reader, cpu)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The async driver opens its connections in the server's event loop, so it must close
        # there too, at shutdown: left to the garbage collector it warns and leaks sockets.
        yield
        if reader is not None:
            await reader.close()

    # Swagger UI (/docs) and ReDoc (/redoc) from the fastapi-offline wheel's static files, not a
    # CDN: the docs load on a machine without internet access.
    app = FastAPIOffline(
        title="Cartograph",
        version="0.1.0",
        description="Recommendations, link scores and risk from the Cartograph knowledge graph, "
        "and the named analyst queries. Authenticate with the X-API-Key header.",
        responses=ERRORS,
        lifespan=lifespan,
    )
    app.state.ctx = AppContext(
        settings=settings,
        driver=driver,
        provider=provider
        or StoredScoresProvider(driver, settings.neo4j.database, api.query_timeout_s, reader, cpu),
        keys=keys or KeyStore(settings.api.keys_file),
        queries=catalogue("queries"),
        reader=reader,
    )
    # Neo4j Browser (its own origin) fetches the style sheet and the guide for :style and :play.
    origins = [f"http://{h}:{settings.neo4j.http_port}" for h in ("127.0.0.1", "localhost")]
    app.add_middleware(
        CORSMiddleware, allow_origins=origins, allow_methods=["GET"], allow_headers=["*"]
    )
    gates = {
        "analyst": Gate(api.analyst_concurrency, api.route_queue, api.route_wait_s),
        "scoring": Gate(api.scoring_concurrency, api.route_queue, api.route_wait_s),
        "admin": Gate(1, api.route_queue, api.route_wait_s),
    }
    app.add_middleware(RouteLimits, gates=gates)
    # Outermost, so an oversized body is refused before CORS, routing or parsing see it.
    app.add_middleware(BodyLimit, max_bytes=settings.api.max_body_bytes)
    install_handlers(app)
    for module in (health, analyst, scoring, browser, admin):
        app.include_router(module.router)
    return app


def reader_pool_size(settings: Settings) -> int:
    """Connections the async reader needs: one per request the gates let run at once (scoring,
    analyst, admin) and two for probes, so an admitted request never waits for a connection."""
    api = settings.api
    return api.scoring_concurrency + api.analyst_concurrency + 1 + 2
