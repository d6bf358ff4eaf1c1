"""Fault: Neo4j stops (SIGTERM) or dies (SIGKILL) while the API serves, then comes back.

The API runs in uvicorn on a loopback port with the driver ``cartograph serve`` builds
(``graph.connection.open_driver``), against a Neo4j server of this module's own (it is stopped,
so it cannot be the shared test server). A poller keeps calling ``/ready`` and two data
endpoints (one thread each) through the whole fault and records every answer. Issue 6's
promises, as bounds:

The data endpoints are recommendations (a sync route on the sync driver) and stored order risk
(an async route on the async driver, ``graph.async_query``): both drivers must recover.

- ``/ready`` turns 503 within ``READY_BOUND_S`` of the server's exit;
- while no Neo4j process exists, every request answers within ``REQUEST_BOUND_S``: 503, the
  data endpoint with ``{"error": {"code": "E606"}}``;
- during the whole fault every request gets an HTTP answer within ``HANG_BOUND_S`` (no hang on
  the driver's retry budget), 200 or a JSON error E606/E607, never a 500;
- once Neo4j is back (a brand-new driver can read from the database), the same app and driver
  answer 200 again, within ``RESUME_BOUND_S`` of the first request each path sends after that
  (a poller thread may still be waiting on a request sent during the recovery, so the clock
  starts when the path next asks), and then steadily, with no API restart.

The bounds are loose on purpose: they hold on a 2-core machine shared with other test runs
(load average 6-8), where a cold JVM can take seconds per query.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app, reader_pool_size
from api.keys import KeyStore
from cartograph.settings import NEO4J_BROWSER_VERSION, NEO4J_VERSION, PROJECT_ROOT, Settings
from graph.async_query import AsyncReader
from graph.connection import CONNECTION_TIMEOUT_S, Driver, Neo4jTarget, open_driver
from graph.server import ServerConfig, read_pid, start, stop

FAULT_HOME = Path(
    os.environ.get("CARTOGRAPH_TEST_FAULT_API_NEO4J_HOME", PROJECT_ROOT / "var" / "neo4j-fault-api")
)
READY_BOUND_S = 5.0
REQUEST_BOUND_S = 3.0
RESUME_BOUND_S = 15.0
# While Neo4j shuts down or recovers it accepts a request and holds it: at worst one connection
# attempt (the server takes the socket but not yet the handshake) and then the whole query
# timeout (E607), plus a few seconds of a busy machine's scheduling; never the driver's 30 s
# retry or 60 s acquisition. (A flat 20 s, exactly the sum, failed at 20.25 s under load 15.)
QUERY_TIMEOUT_S = Settings().api.query_timeout_s
HANG_BOUND_S = CONNECTION_TIMEOUT_S + QUERY_TIMEOUT_S + 4.0
assert HANG_BOUND_S < 30.0  # still tells a bounded answer from a retry-budget hang
DATA = ("/users", "/orders")  # the data endpoints: sync (recommendations) and async (order risk)
SEED = """
MERGE (u:User {key: 'fault:u1'})
MERGE (o:Order {key: 'fault:o1'}) SET o.risk_score = 0.7, o.risk_model = 'fault-risk/1'
MERGE (u)-[:PLACED]->(o)
WITH u
UNWIND range(1, 3) AS i
MERGE (p:Product {key: 'fault:p' + i}) SET p.title = 'product ' + i
MERGE (u)-[r:RECOMMENDED]->(p) SET r.score = 1.0 - i * 0.1, r.rank = i, r.model = 'fault-model/1'
"""


@pytest.fixture(scope="module")
def fault_server() -> Iterator[ServerConfig]:
    cfg = ServerConfig(
        home=FAULT_HOME,
        version=NEO4J_VERSION,
        browser_version=NEO4J_BROWSER_VERSION,
        bolt_port=int(os.environ.get("CARTOGRAPH_TEST_FAULT_API_BOLT_PORT", "57887")),
        http_port=int(os.environ.get("CARTOGRAPH_TEST_FAULT_API_HTTP_PORT", "57674")),
        heap="512m",
        pagecache="128m",
        start_timeout_s=240,
    )
    start(cfg)
    yield cfg
    stop(cfg)


@dataclass
class Answer:
    at: float  # monotonic time the request was sent
    path: str
    seconds: float
    status: int  # 0: no HTTP answer at all
    code: str | None  # the error code of a JSON error body
    detail: str = ""  # the error message, or why there was no answer


@dataclass
class Poller:
    """Calls ``/ready`` and each data endpoint until stopped, one thread per path (as separate
    clients would: a slow answer on one path does not delay the others), recording each answer."""

    base: str
    token: str
    answers: list[Answer] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    paths: tuple[str, ...] = ("/ready", "/users/fault:u1/recommendations?k=2",
                              "/orders/fault:o1/risk")  # fmt: skip

    def run(self) -> None:
        threads = [threading.Thread(target=self.poll, args=(p,), daemon=True) for p in self.paths]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def poll(self, path: str) -> None:
        with httpx.Client(base_url=self.base, timeout=30.0) as http:
            while not self.done.is_set():
                t0 = time.monotonic()
                try:
                    r = http.get(path, headers={"X-API-Key": self.token})
                    status = r.status_code
                    body = r.json() if status >= 400 else {}
                    error = body.get("error") or {}  # /ready's 503 lists its problems
                    code = error.get("code")
                    detail = error.get("message") or "; ".join(body.get("problems", []))
                except httpx.HTTPError as exc:
                    status, code, detail = 0, None, repr(exc)
                took = time.monotonic() - t0
                self.answers.append(Answer(t0, path, took, status, code, detail))
                time.sleep(0.05)

    def settled(self, since: float, n: int = 2) -> bool:
        """On every path, the last ``n`` answers, all sent after ``since``, were 200."""
        for path in self.paths:
            last = [a for a in self.answers if a.path == path][-n:]
            if len(last) < n or not all(a.at >= since and a.status == 200 for a in last):
                return False
        return True

    def first(self, path: str, status: int, after: float) -> Answer | None:
        return next(
            (a for a in self.answers if a.path.startswith(path) and a.at >= after
             and a.status == status),
            None,
        )  # fmt: skip


def _serve(
    settings: Settings, driver: Driver, target: Neo4jTarget
) -> tuple[uvicorn.Server, threading.Thread, str]:
    """The app as ``cartograph serve`` builds it: the sync driver, and the async reader that the
    order-risk route reads through."""
    reader = AsyncReader(target, reader_pool_size(settings), settings.api.route_wait_s)
    app = create_app(settings, driver, reader=reader)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


def _database_answers(target: Neo4jTarget) -> bool:
    """Whether a brand-new driver can read from the database: Bolt answers before the database
    has recovered, so this, not ``start`` returning, is when Neo4j is really back."""
    try:
        with open_driver(target) as fresh, fresh.session(database="neo4j") as session:
            session.run("RETURN 1").consume()
        return True
    except Exception:
        return False


def _wait(predicate: Callable[[], object], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["sigterm", "sigkill"])
def test_neo4j_stops_while_serving(fault_server: ServerConfig, tmp_path: Path, fault: str) -> None:
    cfg = fault_server
    start(cfg)  # the previous variant may have left it stopped
    target = Neo4jTarget(cfg.bolt_uri, "neo4j", cfg.password_file.read_text().strip())
    settings = Settings(api={"keys_file": tmp_path / "keys.json"})  # 10 s query timeout
    token = KeyStore(settings.api.keys_file).create("service", "fault test")[1]
    with open_driver(target) as driver:
        driver.execute_query(SEED)
        server, thread, base = _serve(settings, driver, target)
        poller = Poller(base, token)
        polling = threading.Thread(target=poller.run, daemon=True)
        polling.start()
        try:
            # Each path answers in its own thread: wait for all three, not only one (CI once
            # had /users answered while /ready's first request was still in flight).
            healthy = ("/ready", *DATA)
            _wait(lambda: all(poller.first(p, 200, 0.0) for p in healthy), 30)
            assert all(poller.first(p, 200, 0.0) for p in healthy), poller.answers[-4:]

            pid = read_pid(cfg)
            assert pid is not None
            t_fault = time.monotonic()
            if fault == "sigkill":
                os.kill(pid, signal.SIGKILL)
                _wait(lambda: read_pid(cfg) is None, 10)
            else:
                stop(cfg)  # SIGTERM, returns once the JVM has exited
            t_gone = time.monotonic()
            assert read_pid(cfg) is None
            _wait(lambda: poller.first("/users", 503, t_gone) is not None, 15)
            time.sleep(2.0)  # a few more requests against the dead server

            t_restart = time.monotonic()
            start(cfg)  # recovery on its own; the API is not touched
            t_back = time.monotonic()
            _wait(lambda: _database_answers(target), 60)
            t_db = time.monotonic()  # a fresh driver gets answers from the database again
            _wait(lambda: poller.settled(t_db), 60)
        finally:
            poller.done.set()
            polling.join(40)
            server.should_exit = True
            thread.join(10)

    answers = poller.answers
    down = [a for a in answers if t_gone <= a.at < t_restart]  # no Neo4j process at all
    after = [a for a in answers if a.at >= t_db]  # sent once the database reads again
    ready_503 = poller.first("/ready", 503, t_fault)
    slowest = max(answers, key=lambda a: a.seconds)

    def done(a: Answer | None, since: float) -> float:
        return float("inf") if a is None else a.at + a.seconds - since

    print(  # the figures docs/reliability.md quotes (run with -s to see them)
        f"{fault}: stop took {t_gone - t_fault:.1f}s; /ready 503 {done(ready_503, t_gone):.2f}s "
        f"after the exit; {len(down)} requests while down, slowest "
        f"{max(a.seconds for a in down):.3f}s; restart {t_back - t_restart:.1f}s, database "
        f"readable {t_db - t_back:.1f}s later; {len(after)} requests after that, "
        f"{sum(a.status == 200 for a in after)} answered 200, first done after "
        f"{done(after[0] if after else None, t_db):.2f}s; slowest request overall "
        f"{slowest.seconds:.2f}s; {len(answers)} requests"
    )
    for a in answers:
        if a.status not in (200, 503) or a.seconds > 1:
            print(
                f"  {a.at - t_fault:+.2f}s {a.path} {a.status} {a.code} {a.seconds:.2f}s {a.detail}"
            )
    # Always an HTTP answer, and every error is the JSON outage (E606) or query-timeout (E607)
    # error: never a 500, never a dropped connection.
    assert {a.status for a in answers} <= {200, 503, 504}, {(a.path, a.status) for a in answers}
    errors = [a for a in answers if a.status != 200]
    assert {a.code for a in errors if a.path.startswith(DATA)} <= {"E606", "E607"}
    assert all(a.detail for a in errors)  # a message (or /ready's problems) with each
    assert slowest.seconds < HANG_BOUND_S, slowest
    # Neo4j gone: every request fails fast; /ready says so.
    assert down and all(a.status == 503 for a in down), {(a.path, a.status) for a in down}
    assert {a.code for a in down if a.path.startswith(DATA)} == {"E606"}
    assert max(a.seconds for a in down) < REQUEST_BOUND_S
    assert done(ready_503, t_gone) < READY_BOUND_S
    # Neo4j back: the same app and driver answer again, no restart, no stale connection.
    # (a query may still run past its timeout while the restarted JVM warms up: E607, not E606)
    assert {(a.status, a.code) for a in after} <= {(200, None), (504, "E607")}
    for path in DATA:
        asked = next(a.at for a in answers if a.path.startswith(path) and a.at >= t_db)
        assert done(poller.first(path, 200, t_db), asked) < RESUME_BOUND_S, path
    assert poller.settled(t_db), [(a.path, a.status) for a in answers[-6:]]
