"""Per-route-class gates: heavy analyst queries queue (then 503 E612) while scoring answers."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
from starlette.types import Receive, Scope, Send

from api.app import create_app, reader_pool_size
from api.concurrency import CpuSlots, Gate, RouteLimits, route_class
from cartograph.settings import Settings


class _Slow:
    """An app whose analyst route blocks until ``release`` is set; everything else answers."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.running = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].startswith("/analyst/"):
            self.running += 1
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def test_route_classes() -> None:
    assert route_class("/analyst/queries/shared_identifier_rings") == "analyst"
    assert route_class("/orders/score") == route_class("/users/u1/recommendations") == "scoring"
    assert route_class("/admin/reload") == "admin"
    assert route_class("/ready") is None and route_class("/docs") is None


def test_heavy_queries_queue_then_refuse_while_scoring_answers() -> None:
    async def run() -> None:
        inner = _Slow()
        gates = {"analyst": Gate(1, 1, 5.0), "scoring": Gate(2, 0, 5.0)}
        app = RouteLimits(inner, gates)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            first = asyncio.create_task(c.post("/analyst/queries/a"))
            queued = asyncio.create_task(c.post("/analyst/queries/b"))
            while inner.running < 1 or not gates["analyst"].waiters:
                await asyncio.sleep(0.01)
            refused = await c.post("/analyst/queries/c")  # one running, one waiting: queue full
            assert refused.status_code == 503 and refused.json()["error"]["code"] == "E612"
            assert refused.headers["Retry-After"] == "5"
            scored = await asyncio.wait_for(c.post("/orders/score"), 1.0)  # not starved
            assert scored.status_code == 200
            assert inner.running == 1  # the queued query has not started
            inner.release.set()
            assert [(await t).status_code for t in (first, queued)] == [200, 200]
        assert gates["analyst"].active == 0 and not gates["analyst"].waiters

    asyncio.run(run())


def test_a_wait_that_runs_out_is_refused_and_frees_its_place() -> None:
    async def run() -> None:
        inner = _Slow()
        gate = Gate(1, 4, 0.05)
        transport = httpx.ASGITransport(app=RouteLimits(inner, {"analyst": gate}))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            held = asyncio.create_task(c.post("/analyst/queries/a"))
            while inner.running < 1:
                await asyncio.sleep(0.01)
            late = await c.post("/analyst/queries/b")
            assert late.status_code == 503 and not gate.waiters
            inner.release.set()
            assert (await held).status_code == 200
        assert gate.active == 0

    asyncio.run(run())


def test_the_app_is_built_with_the_settings_limits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(api={"keys_file": tmp_path / "k.json", "analyst_concurrency": 3})
    app = create_app(settings, driver=None)  # type: ignore[arg-type]  # no request reaches Neo4j
    limits = [m for m in app.user_middleware if m.cls is RouteLimits]
    assert limits and limits[0].kwargs["gates"]["analyst"].limit == 3


def test_docs_are_served_without_a_cdn(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Swagger UI and ReDoc pages point at the app's own static files, which it serves."""
    from fastapi.testclient import TestClient

    app = create_app(Settings(api={"keys_file": tmp_path / "k.json"}), driver=None)  # type: ignore[arg-type]
    with TestClient(app) as client:
        for page in ("/docs", "/redoc"):
            html = client.get(page).text
            assert "cdn.jsdelivr" not in html and "unpkg" not in html
            assert "/static-offline-docs/" in html
        js = client.get("/static-offline-docs/swagger-ui-bundle.js")
        assert js.status_code == 200 and len(js.content) > 100_000
        assert client.get("/static-offline-docs/redoc.standalone.js").status_code == 200


def test_cpu_slots_bound_the_work_running_at_once() -> None:
    """Six blocking calls through two slots: never more than two run, all six finish, and the
    event loop keeps running meanwhile (a ticker advances while they block)."""
    slots = CpuSlots(2)
    lock = threading.Lock()
    running, peak = 0, 0

    def work(i: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return i * i

    async def main() -> tuple[list[int], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        tick = asyncio.create_task(ticker())
        out = await asyncio.gather(*(slots.run(work, i) for i in range(6)))
        tick.cancel()
        return list(out), ticks

    out, ticks = asyncio.run(main())
    assert out == [i * i for i in range(6)]
    assert peak == 2
    assert ticks >= 5  # the loop was free while the work ran on threads


def test_reader_pool_covers_what_the_gates_admit() -> None:
    s = Settings(api={"scoring_concurrency": 10, "analyst_concurrency": 3})
    assert reader_pool_size(s) >= 10 + 3 + 1
