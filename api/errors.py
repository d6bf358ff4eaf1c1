"""Every failure the HTTP layer can answer, and the one place that maps them to status codes.

Errors reach the caller as ``{"error": {"code": "E6xx", "message": "..."}}``: a stable code to
branch on and a message to read. Caller mistakes are 4xx; a 5xx means the service (or Neo4j) is
at fault, never the request. Lower layers raise their own ``CartographError`` subclasses
(``cartograph.errors``: invalid input, a conflicting create, graph unavailable, query timeout);
``STATUS`` maps exception classes, never code strings, to statuses. Any other error is a 500
E690, logged.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from cartograph.errors import (
    CartographError,
    ConflictError,
    GraphMismatchError,
    GraphUnavailableError,
    InvalidInputError,
    QueryTimeoutError,
)

log = logging.getLogger(__name__)


class ApiError(CartographError):
    """Root of the answers only the API gives (authentication, lookups, model readiness)."""

    code = "E600"


class Unauthorized(ApiError):
    """No API key, or one that is unknown or revoked."""

    code = "E601"


class Forbidden(ApiError):
    """A valid key whose role does not allow this endpoint."""

    code = "E602"


class NotFound(ApiError):
    """The user, order, product or named query does not exist."""

    code = "E603"


class ModelUnavailable(ApiError):
    """No model (and no stored score) can answer yet: train and score first."""

    code = "E605"


class PayloadTooLarge(ApiError):
    """The request body is larger than ``settings.api.max_body_bytes`` (``api.limits``)."""

    code = "E609"


# Exception class → HTTP status; a subclass answers like its nearest listed ancestor.
STATUS: dict[type[CartographError], int] = {
    InvalidInputError: 422,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    ConflictError: 409,
    GraphMismatchError: 409,
    PayloadTooLarge: 413,
    ModelUnavailable: 503,
    GraphUnavailableError: 503,
    QueryTimeoutError: 504,
    ApiError: 400,
}
# The errors the API answers on purpose (a readiness probe reports them as problems).
EXPECTED = tuple(STATUS)


def status_of(exc: CartographError) -> int | None:
    """The status for ``exc``'s class, ``None`` when it is not an answer the API gives."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return None


def body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def install_handlers(app: FastAPI) -> None:
    """Map every exception to the JSON error shape (validation → 422, HTTP errors keep status)."""

    @app.exception_handler(CartographError)
    async def _expected(_: Request, exc: CartographError) -> JSONResponse:
        status = status_of(exc)
        if status is None:  # no caller can act on it: on to the 500 handler (logged, re-raised)
            raise exc
        return JSONResponse(body(exc.code, str(exc.args[0])), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()))
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return JSONResponse(body("E600", "; ".join(parts) or "invalid request"), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = {401: "E601", 403: "E602", 404: "E603", 405: "E604"}.get(exc.status_code, "E600")
        return JSONResponse(
            body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(body("E690", "internal error (logged)"), status_code=500)
