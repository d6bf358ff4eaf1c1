"""Request dependencies: the application context and permission checks, as ``Annotated`` aliases.

Each route names the one permission it needs (``api.keys``); which roles hold it is ``ROLES``.
The dependencies are coroutines: they only look things up (a dict, a salted hash, a file's
mtime), and a plain function would cost every request a hop to Starlette's thread pool, where an
async route would wait behind whatever holds those threads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from api.errors import Forbidden, Unauthorized
from api.keys import (
    READ_RECOMMENDATIONS,
    READ_RISK,
    RELOAD_MODELS,
    ROLES,
    RUN_QUERIES,
    SCORE_LINKS,
    SCORE_ORDERS,
    ApiKey,
    KeyStore,
)
from api.provider import ModelProvider
from cartograph.settings import Settings
from cypher.spec import QuerySpec
from graph.async_query import AsyncReader
from graph.connection import Driver


@dataclass
class AppContext:
    """Everything a request may use, built once by ``create_app``."""

    settings: Settings
    driver: Driver
    provider: ModelProvider
    keys: KeyStore
    queries: dict[str, QuerySpec]
    reader: AsyncReader | None = None  # the async driver's reads; None: sync reads on threads


async def context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(context)]
_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="a key from `cartograph apikey create`"
)


def ensure(key: ApiKey, permission: str) -> None:
    """403 unless ``key``'s role grants ``permission`` (for a check that depends on the body)."""
    if permission not in ROLES.get(key.role, frozenset()):
        raise Forbidden(f"the {key.role!r} role lacks the {permission!r} permission (docs/api.md)")


def require(permission: str) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency that admits keys whose role grants ``permission`` (401 / 403 otherwise)."""

    async def check(ctx: Ctx, token: Annotated[str | None, Security(_header)]) -> ApiKey:
        if not token:
            raise Unauthorized("missing API key: send it in the X-API-Key header")
        key = ctx.keys.verify(token)
        if key is None:
            raise Unauthorized("unknown or revoked API key")
        ensure(key, permission)
        return key

    return check


RecommendationsReader = Annotated[ApiKey, Depends(require(READ_RECOMMENDATIONS))]
LinkScorer = Annotated[ApiKey, Depends(require(SCORE_LINKS))]
RiskReader = Annotated[ApiKey, Depends(require(READ_RISK))]
OrderScorer = Annotated[ApiKey, Depends(require(SCORE_ORDERS))]
QueryRunner = Annotated[ApiKey, Depends(require(RUN_QUERIES))]
ModelReloader = Annotated[ApiKey, Depends(require(RELOAD_MODELS))]
