"""The body cap: refused by its declared length before reading, or by counting chunks, and a
body under the cap goes through untouched. Plain ASGI, no server and no Neo4j."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from api.limits import BodyLimit
from api.routes.analyst import check_lengths
from cartograph.errors import InvalidInputError

CAP = 1000


class Echo:
    """An app that reads the whole body, then answers with its length."""

    def __init__(self) -> None:
        self.called = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.called = True
        size, more = 0, True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})


def _call(app: Any, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """Run one request; returns the status, the JSON body and how many chunks were pulled."""
    sent: list[dict[str, Any]] = []
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        if pulled > len(chunks):
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunks[pulled - 1],
                "more_body": pulled < len(chunks)}  # fmt: skip

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    text = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return {"status": start["status"], "body": text, "pulled": pulled}


def test_declared_length_over_the_cap_is_refused_before_reading() -> None:
    inner = Echo()
    out = _call(BodyLimit(inner, CAP), [b"x" * 5_000_000], [(b"content-length", b"5000000")])
    assert out["status"] == 413 and out["pulled"] == 0 and not inner.called
    assert json.loads(out["body"])["error"]["code"] == "E609"


def test_chunked_body_is_counted_and_cut_at_the_first_chunk_past_the_cap() -> None:
    chunks = [b"x" * 300] * 100  # 30 KB in 100 chunks, no Content-Length
    out = _call(BodyLimit(Echo(), CAP), chunks, [(b"transfer-encoding", b"chunked")])
    assert out["status"] == 413 and out["pulled"] == 4  # 1200 bytes read, never the rest
    assert json.loads(out["body"])["error"]["code"] == "E609"


def test_bodies_up_to_the_cap_pass_untouched() -> None:
    app = BodyLimit(Echo(), CAP)
    exact = _call(app, [b"x" * CAP], [(b"content-length", str(CAP).encode())])
    assert (exact["status"], exact["body"]) == (200, b"1000")
    chunked = _call(app, [b"x" * 500, b"x" * 499], [])
    assert (chunked["status"], chunked["body"]) == (200, b"999")


def test_analyst_string_parameters_are_capped() -> None:
    check_lengths({"identifier": "x" * 10, "keys": ["a", "b"], "n": 3}, 10)
    for params in ({"identifier": "x" * 11}, {"keys": ["a", "y" * 11]}):
        try:
            check_lengths(params, 10)
        except InvalidInputError:
            continue
        raise AssertionError(f"{params} passed the cap")
