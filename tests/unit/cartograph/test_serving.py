"""``cartograph serve`` binds its port first: a busy port is one coded error, before any work."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from cartograph.errors import CartographError
from cartograph.serving import listen_socket

ROOT = Path(__file__).resolve().parents[3]


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


def test_a_busy_port_is_e611() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CartographError) as err:
            listen_socket("127.0.0.1", port)
    assert err.value.code == "E611" and f"port {port}" in str(err.value)


def test_an_address_this_machine_lacks_is_e613() -> None:
    with pytest.raises(CartographError) as err:
        listen_socket("192.0.2.1", 8000)  # TEST-NET-1: never a local address
    assert err.value.code == "E613"


def test_uvicorn_serves_on_the_bound_socket() -> None:
    sock = listen_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_hello, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        assert httpx.get(f"http://127.0.0.1:{port}/").text == "hello"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_the_cli_says_e611_and_exits_1() -> None:
    """Before Neo4j is looked for: the busy port is the first thing checked."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "CARTOGRAPH_NEO4J_URI": "bolt://127.0.0.1:9", "NO_COLOR": "1"}
        env["CARTOGRAPH_NEO4J_PASSWORD"] = "x"
        done = subprocess.run(
            [sys.executable, "-m", "cartograph.cli", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=ROOT,  # this checkout's code comes first on sys.path
        )
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "[E611]" in out and "Traceback" not in out
