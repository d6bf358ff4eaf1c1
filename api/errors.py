"""Every failure the HTTP layer can answer, and the one place that maps them to status codes.

Errors reach the caller as ``{"error": {"code": "E6xx", "message": "..."}}``: a stable code to
branch on and a message to read. Caller mistakes are 4xx; a 5xx means the service (or Neo4j) is
at fault, never the request.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from cartograph.errors import CartographError

log = logging.getLogger(__name__)


class ApiError(CartographError):
    """Root of the answers the API gives on purpose; ``status`` is the HTTP status."""

    code = "E600"
    status = 400


class InvalidInput(ApiError):
    """Well-formed JSON whose values do not fit (bad parameter, K over the limit)."""

    code = "E600"
    status = 422


class Unauthorized(ApiError):
    """No API key, or one that is unknown or revoked."""

    code = "E601"
    status = 401


class Forbidden(ApiError):
    """A valid key whose role does not allow this endpoint."""

    code = "E602"
    status = 403


class NotFound(ApiError):
    """The user, order, product or named query does not exist."""

    code = "E603"
    status = 404


class ModelUnavailable(ApiError):
    """No model (and no stored score) can answer yet: train and score first."""

    code = "E605"
    status = 503


class GraphUnavailable(ApiError):
    """Neo4j cannot be reached."""

    code = "E606"
    status = 503


class QueryTimeout(ApiError):
    """A query ran past its time budget and was stopped by Neo4j."""

    code = "E607"
    status = 504


def body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def install_handlers(app: FastAPI) -> None:
    """Map every exception to the JSON error shape (validation → 422, HTTP errors keep status)."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(body(exc.code, str(exc.args[0])), status_code=exc.status)

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
        return JSONResponse(body("E500", "internal error (logged)"), status_code=500)
