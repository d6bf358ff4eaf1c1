"""Latency and throughput of the HTTP API on loopback, beside the ceilings of the same app.

    .venv/bin/python -m bench.api [--models DIR] [--seconds 20] [--clients 50] [--workers N]
    .venv/bin/python -m bench.api --open-loop [--rates 50,100,200,400] [--seconds 10]

Starts its own Neo4j (``var/neo4j-bench-api``, Bolt 7693, HTTP 7480 unless ``--bolt-port`` /
``--http-port``; never the developer's 7687), loads the small marketplace (seed 7) into it once
with the project's pseudonym secret, starts ``cartograph serve`` (live models from ``--models``,
default the settings' ``CARTOGRAPH_TRAIN_MODELS_DIR``: each task's ``latest``; ``--workers``
passed on) on a free loopback port in its own process. Users (ones who bought) and orders are
sampled from the graph (seed 7), so the bench runs whatever models are, or are not, loaded:
``/ready``'s model versions and problems are recorded with the results.

Every run measures, side by side and interleaved, two ceilings of the same app and the real
routes: ``GET /health`` (a constant through the same middleware: the framework's ceiling on
this box), ``POST /analyst/queries/order_neighbourhood`` (one plain Cypher read: the database's),
recommendations, stored/model order risk and real-time checkout scoring.

* closed loop (default): ``--clients`` concurrent httpx clients send back-to-back for
  ``--seconds`` after a 2 s warm-up; throughput at that concurrency and p50/p99.
* ``--open-loop``: for each offered rate of ``--rates`` (req/s) and each endpoint, requests are
  sent on a fixed schedule for ``--seconds`` (after 2 s at the same rate, not recorded)
  whatever the answers do, and latency is counted from each request's *scheduled* time (no
  coordinated omission: a stalled server is charged for the queue it causes). Per rate: sent,
  ok, errors (non-200, timeouts after ``--timeout``, requests not sent because ``--cap`` were
  already in flight), p50/p99, the p99 ratio to ``/health`` at
  the same rate, and the generator's own send lag (p99) so a late load generator is visible.

Before/after a serving change, side by side in the same run: ``--baseline-ref REF`` exports
that commit's tree (``git archive``, no checkout or worktree is touched) to a temporary folder
and starts a second ``cartograph serve`` from it on the same Neo4j, models and keys; each
measured route then runs against both at once, request by request, so a busy shared machine
weighs on both alike. In the closed loop each client alternates between the two servers
(``load_paired``): that couples their throughput (a client waits for both), so the slower
server holds more of the clients and its latency shows it (compare the means: by Little's law
each server's mean latency is its share of the clients over the common throughput; p50 and p99
also depend on how fairly each server queues). In the open loop the offered rate is split
between the two on interleaved schedules (``open_loop_split``: each gets half and keeps its
own queue), which compares capacity: the one that cannot keep up shows it in its latency and
errors. A second table gives current / baseline per route; ``--rounds N`` repeats each pair.
``--only`` keeps the routes whose name contains one of its comma-separated words (the
ceilings always run, against the current code).

Results go to ``bench/out/api.json`` (``api-open.json`` in open-loop mode).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AsyncExitStack, ExitStack
from pathlib import Path
from typing import Any

import httpx

from api.keys import KeyStore
from bench.common import OUT_DIR, ROOT, Machine, Stopwatch, command_line, graph_counts, percentiles
from cartograph.pipeline import run_ingest
from cartograph.runtime import pseudonymiser
from cartograph.settings import NEO4J_BROWSER_VERSION, NEO4J_VERSION, Settings
from graph import server
from graph.connection import Neo4jTarget, open_driver
from graph.server import ServerConfig
from testbeds.marketplace import generate

Request = Callable[[httpx.AsyncClient], Any]
WARM_S = 2.0


def bench_api_server(bolt_port: int = 7693, http_port: int = 7480) -> ServerConfig:
    return ServerConfig(
        home=ROOT / "var" / "neo4j-bench-api", version=NEO4J_VERSION,
        browser_version=NEO4J_BROWSER_VERSION, bolt_port=bolt_port, http_port=http_port,
        heap="1g", pagecache="1g",
    )  # fmt: skip


def load_graph(target: Neo4jTarget, settings: Settings, data: Path) -> dict[str, Any]:
    """The small marketplace in the bench server (once: skipped when orders exist)."""
    with open_driver(target) as driver:
        counts = graph_counts(driver)
        if counts["nodes"].get("Order", 0):
            return counts
    if not (data / "raw").exists():
        generate("small", 7, data)
    with tempfile.TemporaryDirectory() as run_dir:
        run_ingest(target, data, settings.ingest.mapping, pseudonymiser(settings), Path(run_dir),
                   show_progress=False)  # fmt: skip
    with open_driver(target) as driver:
        return graph_counts(driver)


def sample_keys(target: Neo4jTarget, n: int, seed: int) -> tuple[list[str], list[str]]:
    """``n`` buyers and ``n`` webshop orders of the graph (seeded): the users a recommender was
    trained on are buyers, and the orders are the ones the fraud model scored in batch."""
    with open_driver(target) as driver:
        users = [
            r["k"]
            for r in driver.execute_query(
                "MATCH (u:User)-[:PLACED]->(:Order) RETURN DISTINCT u.key AS k ORDER BY k"
            )[0]
        ]
        orders = [
            r["k"]
            for r in driver.execute_query(
                "MATCH (o:Order) WHERE o.key STARTS WITH 'webshop:' RETURN o.key AS k ORDER BY k"
            )[0]
        ]
    rnd = random.Random(seed)
    return rnd.sample(users, min(n, len(users))), rnd.sample(orders, min(n, len(orders)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_api(
    env: dict[str, str], port: int, workers: int | None, code: Path = ROOT
) -> subprocess.Popen[bytes]:
    """``cartograph serve`` of the tree at ``code`` in its own process; returns once ``/health``
    answers (``/ready`` may stay 503 when no model is trained for this graph: the bench still
    measures, and says so)."""
    cli = [sys.executable, "-m", "cartograph.cli", "serve", "--port", str(port)]
    if workers is not None:
        cli += ["--workers", str(workers)]
    # ``-m`` puts the working directory first on sys.path: the tree at ``code`` is what runs.
    proc = subprocess.Popen(cli, env=env, cwd=code, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                time.sleep(3 if workers != 1 else 0)  # the other workers finish loading
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the API exited during start-up")
        time.sleep(1)
    proc.terminate()
    raise RuntimeError("the API did not answer /health in 180 s")


def export_tree(ref: str, into: Path) -> str:
    """The tree of commit ``ref`` under ``into`` (``git archive``: the repository's checkouts
    and worktrees are left alone); returns the commit's short hash."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", f"{ref}^{{commit}}"], cwd=ROOT, check=True,
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return commit


def checkouts(data: Path, n: int, seed: int) -> list[dict[str, Any]]:
    """Raw webshop checkouts from the generated data (scored as new orders, not stored)."""
    with (data / "raw" / "webshop" / "order_items.csv").open() as f:
        items: dict[str, list[str]] = {}
        for r in csv.DictReader(f):
            items.setdefault(r["order_id"], []).append(f"webshop:{r['product_id']}")
    with (data / "raw" / "webshop" / "orders.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["card_number"] and r["order_id"] in items]
    out = []
    for r in random.Random(seed).sample(rows, min(n, len(rows))):
        out.append({
            "user": f"webshop:{r['customer_id']}",
            "items": [{"product": p} for p in items[r["order_id"]]],
            "card_number": r["card_number"], "device": r["device_id"] or None,
            "ip": r["ip"] or None, "channel": r["channel"] or None,
            "address": {"line1": r["ship_street"], "city": r["ship_city"],
                        "postcode": r["ship_postcode"], "country": r["ship_country"]},
        })  # fmt: skip
    return out


def valid_bodies(
    url: str, token: str, bodies: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Checkouts the API accepts: the generated data plants bad card numbers and addresses on
    purpose (ingestion rejects them too); those are answered 422 and kept out of the load."""
    ok: list[dict[str, Any]] = []
    rejected: dict[str, int] = {}
    with httpx.Client(base_url=url, headers={"X-API-Key": token}, timeout=60) as client:
        for body in bodies:
            r = client.post("/orders/score", json=body)
            if r.status_code == 200:
                ok.append(body)
            else:
                why = f"{r.status_code} {r.json()['error']['message'].split(':')[0]}"
                rejected[why] = rejected.get(why, 0) + 1
    return ok, rejected


async def load(url: str, make: Request, clients: int, seconds: float) -> dict[str, Any]:
    """Closed loop: ``clients`` workers send back-to-back requests for ``seconds`` (after a
    warm-up)."""
    lat: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        warm_end = time.monotonic() + WARM_S
        end = warm_end + seconds

        async def worker() -> None:
            while (now := time.monotonic()) < end:
                with Stopwatch() as request:
                    try:
                        r = await make(client)
                        ok, why = r.status_code == 200, str(r.status_code)
                    except httpx.HTTPError as exc:
                        ok, why = False, type(exc).__name__
                if now >= warm_end:
                    lat.append(request.seconds)
                    if not ok:
                        errors[why] = errors.get(why, 0) + 1

        await asyncio.gather(*(worker() for _ in range(clients)))
    pct = percentiles([s * 1000 for s in lat]) if lat else {"p50_ms": None, "p99_ms": None}
    return {
        "requests": len(lat), "errors": sum(errors.values()), "error_kinds": errors,
        "throughput_rps": round(len(lat) / seconds, 1), **pct,
    }  # fmt: skip


async def load_paired(
    urls: tuple[str, str], make: Request, clients: int, seconds: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Closed loop against two servers at once, request by request: each client alternates
    between them (half the clients start with each), so both see the same machine load at a
    grain of milliseconds; what a busy shared box does to one, it does to the other."""
    lat: tuple[list[float], list[float]] = ([], [])
    errors: tuple[dict[str, int], dict[str, int]] = ({}, {})
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with (
        httpx.AsyncClient(base_url=urls[0], limits=limits, timeout=30) as a,
        httpx.AsyncClient(base_url=urls[1], limits=limits, timeout=30) as b,
    ):
        warm_end = time.monotonic() + WARM_S
        end = warm_end + seconds

        async def worker(first: int) -> None:
            side = first
            while (now := time.monotonic()) < end:
                with Stopwatch() as request:
                    try:
                        r = await make((a, b)[side])
                        ok, why = r.status_code == 200, str(r.status_code)
                    except httpx.HTTPError as exc:
                        ok, why = False, type(exc).__name__
                if now >= warm_end:
                    lat[side].append(request.seconds)
                    if not ok:
                        errors[side][why] = errors[side].get(why, 0) + 1
                side = 1 - side

        await asyncio.gather(*(worker(i % 2) for i in range(clients)))
    out = []
    for side in (0, 1):
        ms = [x * 1000 for x in lat[side]]
        out.append({
            "requests": len(ms), "errors": sum(errors[side].values()),
            "error_kinds": errors[side], "throughput_rps": round(len(ms) / seconds, 1),
            "mean_ms": round(sum(ms) / len(ms), 1) if ms else None, **percentiles(ms),
        })  # fmt: skip
    return out[0], out[1]


async def open_loop(
    url: str, make: Request, rate: float, seconds: float, timeout: float, cap: int
) -> dict[str, Any]:
    """Open loop: one request every ``1 / rate`` s for ``WARM_S + seconds`` whatever the
    answers do; latency from each request's scheduled time, the first ``WARM_S`` unrecorded.

    At most ``cap`` requests are in flight: one due while ``cap`` are outstanding is not sent
    and counts as an error (``client_cap``: the server is at least that far behind). Queueing
    them in httpx instead makes the *generator* the bottleneck (its pool does work per waiting
    request, so thousands waiting burn the client's CPU and starve the send schedule). Bounded:
    a request gives up after ``timeout`` s."""
    return (await open_loop_split([url], make, rate, seconds, timeout, cap))[0]


async def open_loop_split(
    urls: list[str], make: Request, rate: float, seconds: float, timeout: float, cap: int
) -> list[dict[str, Any]]:
    """``open_loop`` with request ``i`` sent to ``urls[i % len(urls)]``: each server is offered
    ``rate / len(urls)`` on interleaved schedules, so a baseline and the current code share the
    machine's load request by request and each still shows its own queue (``cap`` per server)."""
    n = len(urls)
    limits = httpx.Limits(max_connections=cap, max_keepalive_connections=cap)
    lat: list[list[float]] = [[] for _ in urls]
    lag: list[list[float]] = [[] for _ in urls]
    errors: list[dict[str, int]] = [{} for _ in urls]
    in_flight = [0] * n
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=u, limits=limits, timeout=timeout)
            )
            for u in urls
        ]
        start = time.perf_counter() + 0.05
        warm = int(rate * WARM_S)
        total = warm + int(rate * seconds)

        async def one(i: int) -> None:
            side, at = i % n, start + i / rate
            if (delay := at - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            if in_flight[side] >= cap:
                if i >= warm:
                    errors[side]["client_cap"] = errors[side].get("client_cap", 0) + 1
                return
            in_flight[side] += 1
            sent = time.perf_counter()
            try:
                r = await make(clients[side])
                ok, why = r.status_code == 200, str(r.status_code)
            except httpx.HTTPError as exc:
                ok, why = False, type(exc).__name__
            finally:
                in_flight[side] -= 1
            if i < warm:
                return
            lag[side].append(sent - at)
            if ok:
                lat[side].append(time.perf_counter() - at)
            else:
                errors[side][why] = errors[side].get(why, 0) + 1

        await asyncio.gather(*(one(i) for i in range(total)))
    out = []
    for side in range(n):
        sent = sum(1 for i in range(warm, total) if i % n == side)
        out.append({
            "offered_rps": rate / n, "sent": sent, "ok": len(lat[side]),
            "errors": sum(errors[side].values()), "error_kinds": errors[side],
            "ok_rps": round(len(lat[side]) / seconds, 1),
            "mean_ms": round(1000 * sum(lat[side]) / len(lat[side]), 1) if lat[side] else None,
            **percentiles([x * 1000 for x in lat[side]]),
            "send_lag_p99_ms": percentiles([x * 1000 for x in lag[side]])["p99_ms"],
        })  # fmt: skip
    return out


def endpoints(
    users: list[str],
    orders: list[str],
    bodies: list[dict[str, Any]],
    service: dict[str, str],
    analyst: dict[str, str],
) -> dict[str, Request]:
    """The measured routes, the two ceilings first (``/health`` is the ratios' base)."""
    rnd = random.Random(7)
    out: dict[str, Request] = {
        "ceiling: GET /health (constant)": lambda c: c.get("/health"),
        "ceiling: POST /analyst/queries/order_neighbourhood (Cypher)": lambda c: c.post(
            "/analyst/queries/order_neighbourhood",
            json={"params": {"order": rnd.choice(orders)}},
            headers=analyst,
        ),
        "GET /users/{key}/recommendations?k=10": lambda c: c.get(
            f"/users/{rnd.choice(users)}/recommendations", params={"k": 10}, headers=service
        ),
        "GET /orders/{key}/risk": lambda c: c.get(
            f"/orders/{rnd.choice(orders)}/risk", headers=service
        ),
    }
    if bodies:  # none when no fraud model is loaded (503 E605)
        out["POST /orders/score (real time)"] = lambda c: c.post(
            "/orders/score", json=rnd.choice(bodies), headers=service
        )
    return out


async def first_answers(url: str, reqs: dict[str, Request]) -> dict[str, int]:
    """One request per endpoint: a route that answers 404 or 403 would measure nothing."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return {name: (await make(client)).status_code for name, make in reqs.items()}


def ratio(a: Any, b: Any) -> str:
    return f"{a / b:.2f}" if a and b and a == a and b == b else "n/a"


def table(results: dict[str, dict[str, Any]]) -> str:
    base = next(iter(results.values()))
    head = "| endpoint | requests | errors | req/s | p50 ms | p99 ms | req/s / base | p99 / base |"
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['requests']} | {r['errors']} | {r['throughput_rps']} | {r['p50_ms']} "
            f"| {r['p99_ms']} | {ratio(r['throughput_rps'], base['throughput_rps'])} "
            f"| {ratio(r['p99_ms'], base['p99_ms'])} |"
        )
    return "\n".join(lines)


def compare_table(results: dict[str, dict[str, Any]], pairs: list[tuple[str, str]]) -> str:
    """Current / baseline per route and round: req/s, p50 and p99 ratios (< 1 p50/p99: faster)."""
    head = ("| route | baseline req/s | baseline mean / p50 / p99 ms | current req/s "
            "| current mean / p50 / p99 ms | req/s ratio | mean ratio | p50 ratio "
            "| p99 ratio |")  # fmt: skip
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for base_name, cur_name in pairs:
        b, c = results[base_name], results[cur_name]
        rps = "ok_rps" if "ok_rps" in c else "throughput_rps"
        lines.append(
            f"| {cur_name} | {b[rps]} | {b.get('mean_ms')} / {b['p50_ms']} / {b['p99_ms']} "
            f"| {c[rps]} | {c.get('mean_ms')} / {c['p50_ms']} / {c['p99_ms']} "
            f"| {ratio(c[rps], b[rps])} | {ratio(c.get('mean_ms'), b.get('mean_ms'))} "
            f"| {ratio(c['p50_ms'], b['p50_ms'])} | {ratio(c['p99_ms'], b['p99_ms'])} |"
        )
    return "\n".join(lines)


def plan(
    reqs: dict[str, Request], url: str, base_url: str | None, rounds: int
) -> list[tuple[str, str, Request]]:
    """(name, server URL, request) in measuring order. Without a baseline: every endpoint once.
    With one: the ceilings (current code), then each route against the baseline and the current
    code back to back, which goes first alternating by round."""
    if base_url is None:
        return [(name, url, make) for name, make in reqs.items()]
    out = [(n, url, r) for n, r in reqs.items() if n.startswith("ceiling")]
    for k in range(1, rounds + 1):
        tag = f" (round {k})" if rounds > 1 else ""
        for name, make in reqs.items():
            if name.startswith("ceiling"):
                continue
            pair = [
                (f"baseline: {name}{tag}", base_url, make),
                (f"current: {name}{tag}", url, make),
            ]
            out += pair if k % 2 else pair[::-1]
    return out


def pairs_of(names: list[str]) -> list[tuple[str, str]]:
    """(baseline name, current name) of a plan's measured routes."""
    return [(n, "current: " + n.removeprefix("baseline: ")) for n in names
            if n.startswith("baseline: ")]  # fmt: skip


def open_table(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    head = ("| offered req/s | endpoint | sent | ok | errors | ok req/s | p50 ms | p99 ms "
            "| p99 / health | send lag p99 ms |")  # fmt: skip
    lines = [head, "|---|---|---|---|---|---|---|---|---|---|"]
    for rate, by_name in results.items():
        base = next(iter(by_name.values()))
        for name, r in by_name.items():
            lines.append(
                f"| {rate} | {name} | {r['sent']} | {r['ok']} | {r['errors']} | {r['ok_rps']} "
                f"| {r['p50_ms']} | {r['p99_ms']} | {ratio(r['p99_ms'], base['p99_ms'])} "
                f"| {r['send_lag_p99_ms']} |"
            )
    return "\n".join(lines)


def main() -> None:
    settings = Settings()
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument(
        "--models",
        type=Path,
        default=settings.train.models_dir,
        help="models dir (each task's `latest`; default CARTOGRAPH_TRAIN_MODELS_DIR)",
    )
    ap.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="measured seconds per endpoint (per rate in open loop); 20 / 10",
    )
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=None, help="`cartograph serve --workers`")
    ap.add_argument("--open-loop", action="store_true")
    ap.add_argument("--rates", default="50,100,200,400", help="offered req/s, comma-separated")
    ap.add_argument("--timeout", type=float, default=5.0, help="per request, open loop")
    ap.add_argument("--cap", type=int, default=100, help="most requests in flight, open loop")
    ap.add_argument("--bolt-port", type=int, default=7693)
    ap.add_argument("--http-port", type=int, default=7480)
    ap.add_argument("--keep-server", action="store_true")
    ap.add_argument("--baseline-ref", default=None, help="git commit to serve beside the code")
    ap.add_argument("--rounds", type=int, default=1, help="baseline/current rounds per route")
    ap.add_argument("--only", default=None, help="comma-separated words: routes to measure")
    args = ap.parse_args()  # fmt: skip
    seconds = args.seconds or (10.0 if args.open_loop else 20.0)
    cfg = bench_api_server(args.bolt_port, args.http_port)
    data = settings.data_dir / "marketplace-small-seed7"
    password = server.start(cfg)
    target = Neo4jTarget(uri=cfg.bolt_uri, user="neo4j", password=password)
    api: subprocess.Popen[bytes] | None = None
    base_api: subprocess.Popen[bytes] | None = None
    baseline: str | None = None
    machine_start = Machine.here().as_dict()
    stack = ExitStack()
    try:
        counts = load_graph(target, settings, data)
        users, orders = sample_keys(target, 500, 7)
        with tempfile.TemporaryDirectory() as tmp:
            keys = Path(tmp) / "keys.json"
            store = KeyStore(keys)
            service = {"X-API-Key": store.create("service", "bench")[1]}
            analyst = {"X-API-Key": store.create("analyst", "bench")[1]}
            port = free_port()
            env = {**os.environ, "CARTOGRAPH_NEO4J_URI": cfg.bolt_uri,
                   "CARTOGRAPH_NEO4J_PASSWORD": password,
                   "CARTOGRAPH_TRAIN_MODELS_DIR": str(args.models.resolve()),
                   "CARTOGRAPH_API_KEYS_FILE": str(keys)}  # fmt: skip
            api = start_api(env, port, args.workers)
            url = f"http://127.0.0.1:{port}"
            base_url: str | None = None
            if args.baseline_ref:
                base_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                baseline = export_tree(args.baseline_ref, base_dir)
                base_port = free_port()
                base_api = start_api(env, base_port, args.workers, base_dir)
                base_url = f"http://127.0.0.1:{base_port}"
            ready = httpx.get(f"{url}/ready", timeout=30).json()
            bodies: list[dict[str, Any]] = []
            rejected: dict[str, int] = {}
            if any("order_risk" in m for m in ready.get("models", {})):
                bodies, rejected = valid_bodies(url, service["X-API-Key"], checkouts(data, 500, 7))
            reqs = endpoints(users, orders, bodies, service, analyst)
            if args.only:
                words = args.only.split(",")
                reqs = {n: r for n, r in reqs.items()
                        if n.startswith("ceiling") or any(w in n for w in words)}  # fmt: skip
            for server_url in filter(None, (url, base_url)):
                check = asyncio.run(first_answers(server_url, reqs))
                if any(code != 200 for code in check.values()):
                    raise RuntimeError(f"an endpoint of {server_url} does not answer 200: {check}")
            order = plan(reqs, url, base_url, args.rounds)
            if args.open_loop:
                rates = [float(r) for r in args.rates.split(",")]
                open_results: dict[str, dict[str, dict[str, Any]]] = {}
                for rate in rates:
                    cell = open_results.setdefault(f"{rate:g}", {})
                    for name, at, make in order:
                        if name.startswith("current: "):
                            continue  # measured with its baseline, on interleaved schedules
                        if name.startswith("baseline: "):
                            cur = "current: " + name.removeprefix("baseline: ")
                            split = open_loop_split(
                                [at, url], make, rate, seconds, args.timeout, args.cap
                            )
                            cell[name], cell[cur] = asyncio.run(split)
                        else:
                            cell[name] = asyncio.run(
                                open_loop(at, make, rate, seconds, args.timeout, args.cap)
                            )
                        r = cell[name]
                        print(f"{rate:g} req/s {name}: ok {r['ok']}/{r['sent']}, p99 "
                              f"{r['p99_ms']} ms", file=sys.stderr, flush=True)  # fmt: skip
            else:
                results = {}
                for name, at, make in order:
                    if name.startswith("current: "):
                        continue  # measured with its baseline, request by request
                    if name.startswith("baseline: "):
                        cur = "current: " + name.removeprefix("baseline: ")
                        urls = (at, url)
                        pair = asyncio.run(load_paired(urls, make, args.clients, seconds))
                        results[name], results[cur] = pair
                    else:
                        results[name] = asyncio.run(load(at, make, args.clients, seconds))
                    print(f"{name}: {results[name]}", file=sys.stderr, flush=True)
    finally:
        for proc in (api, base_api):
            if proc is not None:
                proc.terminate()
                proc.wait(60)
        stack.close()
        if not args.keep_server:
            server.stop(cfg)
    report: dict[str, Any] = {
        "command": command_line(), "machine_start": machine_start,
        "machine": Machine.here().as_dict(), "workers": args.workers, "seconds": seconds,
        "graph": counts["nodes"], "models_dir": str(args.models),
        "ready": {k: ready.get(k) for k in ("ready", "models", "problems")},
        "checkouts": {"valid": len(bodies), "rejected": rejected}, "baseline": baseline,
    }  # fmt: skip
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if args.open_loop:
        report["open_loop"] = open_results
        (OUT_DIR / "api-open.json").write_text(json.dumps(report, indent=2))
        print(open_table(open_results))
        for offered, by_name in open_results.items():
            if pairs := pairs_of(list(by_name)):
                print(f"\n{offered} req/s, current vs baseline {baseline}:")
                print(compare_table(by_name, pairs))
    else:
        report["clients"], report["results"] = args.clients, results
        (OUT_DIR / "api.json").write_text(json.dumps(report, indent=2))
        print(table(results))
        if pairs := pairs_of(list(results)):
            print(f"\ncurrent vs baseline {baseline}:")
            print(compare_table(results, pairs))
    print(f"models: {report['ready']}")
    print(f"machine load (1 min): start {machine_start['load_avg_1m']}, "
          f"end {report['machine']['load_avg_1m']}")  # fmt: skip


if __name__ == "__main__":
    main()
