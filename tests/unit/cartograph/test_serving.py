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


def _children(pid: int) -> set[int]:
    """Direct child processes of ``pid`` (Linux /proc)."""
    kids: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.add(int(entry.name))
    return kids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_serve_with_two_workers_answers_and_stops(tmp_path: Path) -> None:
    """Two worker processes answer /health on the one loopback socket, and SIGTERM stops the
    parent and both workers. No Neo4j is needed: /health does not touch it, the driver connects
    lazily and the empty models directory loads nothing."""
    sock = listen_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "CARTOGRAPH_NEO4J_URI": "bolt://127.0.0.1:9", "NO_COLOR": "1",
           "CARTOGRAPH_NEO4J_PASSWORD": "x", "CARTOGRAPH_PSEUDONYM_SECRET": "00" * 32,
           "CARTOGRAPH_TRAIN_MODELS_DIR": str(tmp_path / "models"),
           "CARTOGRAPH_API_KEYS_FILE": str(tmp_path / "keys.json")}  # fmt: skip
    cli = [sys.executable, "-m", "cartograph.cli", "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(
        cli, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 150
        answered = False
        while time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            try:
                answered = (
                    httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
                )
            except httpx.HTTPError:
                answered = False
            if answered and len(workers) >= 2:
                break
            time.sleep(0.5)
        # uvicorn's spawn context may add a resource tracker child: the workers are the
        # processes that hold the listening socket, so count those.
        listening = {w for w in workers if _holds_port(w, port)}
        assert answered and len(listening) == 2, (answered, workers, proc.poll())
    finally:
        proc.terminate()
        try:
            out = proc.communicate(timeout=60)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0].decode()
            pytest.fail(f"serve did not stop in 60 s: {out[-2000:]}")
    assert proc.returncode == 0, out[-2000:]
    assert "2 worker processes" in out and "Traceback" not in out
    deadline = time.monotonic() + 10
    while (alive := {w for w in listening if _running(w)}) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive, f"workers {alive} outlived serve"


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _holds_port(pid: int, port: int) -> bool:
    """Whether ``pid`` has the listening socket of ``port`` open (its inode in /proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False


def test_connections_on_the_bound_socket_get_tcp_nodelay() -> None:
    """asyncio (so uvicorn) sets TCP_NODELAY on an accepted connection only when the listening
    socket's proto is TCP; without it a response written as headers then body waits ~40 ms for
    a delayed ACK (measured: /health p50 44 ms instead of 1 ms)."""
    import asyncio

    sock = listen_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    seen: list[int] = []

    async def main() -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            conn = writer.get_extra_info("socket")
            seen.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.02)
            writer.close()

    asyncio.run(main())
    assert seen and seen[0] != 0
