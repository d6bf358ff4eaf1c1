"""The request-body cap, enforced before anything parses the body.

A pure ASGI middleware, so it sees the body as the server delivers it: a declared
``Content-Length`` over the cap is refused before one byte is read, and a body without one
(``Transfer-Encoding: chunked``) is counted chunk by chunk and refused as soon as the count
passes the cap, so the service never holds more than the cap plus one chunk. Either way the
caller gets 413 with the usual coded body (``PayloadTooLarge``, E609).
"""

from __future__ import annotations

from contextlib import suppress

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PayloadTooLarge, body


class _Overflow(Exception):
    """Raised into the app from ``receive`` once the count passes the cap."""


class BodyLimit:
    """Refuses (413) any HTTP request whose body is larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        state = {"received": 0, "over": False, "started": False}

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_bytes:
                    state["over"] = True
                    raise _Overflow
            return message

        async def guarded(message: Message) -> None:
            if state["over"]:  # the app's own answer to the overflow is replaced by the 413
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        with suppress(_Overflow):  # the app let it through (else it answered): refused below
            await self.app(scope, counted, guarded)
        if state["over"] and not state["started"]:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"request body larger than {self.max_bytes} bytes"
        response = JSONResponse(
            body(PayloadTooLarge.code, message), status_code=413, headers={"Connection": "close"}
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The declared length; ``None`` when absent or unreadable (then the chunks are counted)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
