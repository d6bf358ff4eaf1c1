"""A bounded soak of the HTTP API: mixed traffic at fixed concurrency, memory and latency sampled.

    .venv/bin/python bench/soak.py                      # 10 minutes, 20 clients
    .venv/bin/python bench/soak.py --duration 60 --keep-server   # a short run, server kept
    .venv/bin/python bench/soak.py --saturation-fraction 0.8     # open loop at 80 % of saturation

Issue 6 asks whether the service keeps working under steady load: no errors, memory that stops
growing once warm, and a p99 latency that does not drift. The script

1. starts its own Neo4j (``var/neo4j-bench-soak``, ports 7697/7484: never the developer's) and,
   unless the graph already holds scores from an earlier soak, loads the small built-in
   marketplace (seed 7) and trains both demo tasks with reduced epoch budgets, because the soak
   is about serving, not model quality. Or, with ``--models DIR --home H``, it serves those
   models on the graph already in the Neo4j home ``H`` (e.g. ``bench/api.py``'s, whose graph
   the models were trained on; ``--secret-file`` names the pseudonym secret it was ingested
   with);
2. runs ``cartograph serve`` (``-m`` from this tree) as a subprocess (the production entry
   point) on a free loopback port, against that server, with API keys of its own;
3. drives it for ``--duration`` seconds with the mixed traffic a shop front, a checkout and an
   analyst send: recommendations, link scores, stored and real-time order risk (raw checkouts
   of the generated data, ``--data``, those the API accepts), user risk, analyst queries,
   ``/health`` and ``/ready`` (plus unknown keys, whose 404 is the expected answer). Closed
   loop by default: ``--concurrency`` clients, each sending its next request when the last one
   answered. Open loop: ``--rate R`` sends R requests per second on a fixed schedule whatever
   the answers do, latency counted from each request's scheduled time (a stalled server is
   charged for the queue it causes), at most ``--cap`` in flight (one due beyond that is not
   sent and is an error); ``--saturation-fraction F`` first measures the saturation rate of
   the mix in the same run (``saturation``: closed loop over ``--saturation-seconds`` with
   ``--concurrency`` clients after a 5 s warm-up; the expected answers per second, or the rate
   at which the first route class that sheds load saturates) and then runs the open loop at F
   times it;
4. every ``--window`` seconds records the API's RSS (``cartograph serve`` and its worker
   processes, summed) and the window's request count, p50/p99 latency, errors and the machine's
   load, prints a table and a verdict, and writes ``bench/out/soak.json``.

An error is any answer other than the one the request expects (a 5xx, a 4xx on a valid request,
a timeout or a connection failure), or in open loop a request not sent because ``--cap`` were
in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

if __package__ in (None, ""):  # run as a script: make ``bench`` importable from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.keys import KeyStore
from bench.api import checkouts, valid_bodies
from bench.common import (
    OUT_DIR,
    ROOT,
    Machine,
    Stopwatch,
    command_line,
    percentiles,
    server_version,
)
from cartograph.settings import NEO4J_BROWSER_VERSION, NEO4J_VERSION
from graph import server
from graph.connection import Driver, Neo4jTarget, open_driver
from graph.server import ServerConfig

SOAK_HOME = ROOT / "var" / "neo4j-bench-soak"
WORK = ROOT / "var" / "bench-soak"
MAPPING = ROOT / "extraction" / "mappings" / "marketplace.yaml"
SECRET = b"cartograph-soak-secret-0123456789abcdef"
# Serving, not model quality: a few epochs give real artefacts and scores in minutes.
TASK_OVERRIDES = {
    "recommend": {"train": {"max_epochs": 20}},
    "fraud": {"train": {"max_epochs": 10}},
}


def soak_server_config(
    bolt_port: int = 7697, http_port: int = 7484, home: Path = SOAK_HOME
) -> ServerConfig:
    return ServerConfig(
        home=home,
        version=NEO4J_VERSION,
        browser_version=NEO4J_BROWSER_VERSION,
        bolt_port=bolt_port,
        http_port=http_port,
        heap="1g",
        pagecache="512m",
        start_timeout_s=240,
    )


def _rows(driver: Driver, query: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(query, params)
    return [dict(r) for r in records]


def prepare_graph(target: Neo4jTarget, force: bool) -> dict[str, Any]:
    """Load the small marketplace and train both demo tasks unless scores already exist."""
    with open_driver(target) as driver:
        scored = _rows(
            driver,
            "OPTIONAL MATCH ()-[r:RECOMMENDED]->() WITH count(r) AS recs "
            "OPTIONAL MATCH (o:Order) WHERE o.risk_score IS NOT NULL "
            "RETURN recs, count(o) AS risks",
        )[0]
    if scored["recs"] and scored["risks"] and not force:
        return {"reused": True, **scored}
    from cartograph.pipeline import DemoConfig, run_demo
    from extraction.pseudonymise import Pseudonymiser

    watch = Stopwatch()
    cfg = DemoConfig(
        WORK / "runs", ROOT / "var" / "data", MAPPING, Pseudonymiser(SECRET), show_progress=False,
        tasks=("recommend", "fraud"), models_dir=WORK / "models", task_overrides=TASK_OVERRIDES,
    )  # fmt: skip
    result = run_demo(target, cfg)
    return {
        "reused": False,
        "seconds": round(watch.seconds, 1),
        "run_dir": str(result.run_dir),
        "task_overrides": TASK_OVERRIDES,
    }


@dataclass
class Targets:
    """Real keys from the graph, so requests exercise real answers (not only 404s)."""

    users: list[str]
    risky_users: list[str]
    orders: list[str]
    products: list[str]
    cards: list[str]
    checkouts: list[dict[str, Any]] = field(default_factory=list)  # raw, valid: real-time risk


def find_targets(target: Neo4jTarget) -> Targets:
    with open_driver(target) as d:
        users = [
            r["k"]
            for r in _rows(
                d,
                "MATCH (u:User)-[:RECOMMENDED]->() RETURN DISTINCT u.key AS k ORDER BY k LIMIT 500",
            )
        ] or [  # no stored scores (live models only): the buyers, whom the recommender knows
            r["k"]
            for r in _rows(
                d,
                "MATCH (u:User)-[:PLACED]->() RETURN DISTINCT u.key AS k ORDER BY k LIMIT 500",
            )
        ]
        risky = [
            r["k"]
            for r in _rows(
                d,
                "MATCH (u:User) WHERE u.risk_score IS NOT NULL "
                "RETURN u.key AS k ORDER BY k LIMIT 500",
            )
        ]
        orders = [
            r["k"]
            for r in _rows(
                d,
                "MATCH (o:Order) WHERE o.risk_score IS NOT NULL "
                "RETURN o.key AS k ORDER BY k LIMIT 500",
            )
        ] or [  # the webshop orders the fraud artefact scored in batch
            r["k"]
            for r in _rows(
                d,
                "MATCH (o:Order) WHERE o.key STARTS WITH 'webshop:' "
                "RETURN o.key AS k ORDER BY k LIMIT 500",
            )
        ]
        products = [
            r["k"] for r in _rows(d, "MATCH (p:Product) RETURN p.key AS k ORDER BY k LIMIT 500")
        ]
        cards = [
            r["k"]
            for r in _rows(
                d,
                "MATCH (c:Card)<-[:USED_CARD]-(u:User) "
                "WITH c, count(u) AS n ORDER BY n DESC, c.key "
                "RETURN c.key AS k LIMIT 50",
            )
        ]
    # User risk: stored on users when the fraud task scores them, else the reasons still answer.
    return Targets(users, risky or users, orders, products, cards)  # fmt: skip


Request = tuple[str, str, dict[str, Any] | None, str, tuple[int, ...]]  # method, url, json, key, ok


def request_mix(t: Targets) -> list[tuple[float, Callable[[random.Random], Request]]]:
    """(weight, maker): roughly what a shop front, a checkout and an analyst would send."""
    rc = random.Random.choice
    return [
        (30, lambda r: ("GET", f"/users/{rc(r, t.users)}/recommendations?k={r.randint(1, 20)}",
                        None, "service", (200,))),
        (15, lambda r: ("POST", "/links/score", {"pairs": [
            {"source": rc(r, t.users), "target": rc(r, t.products), "type": "RECOMMENDED"}
            for _ in range(r.randint(1, 20))]}, "service", (200,))),
        (15, lambda r: ("GET", f"/orders/{rc(r, t.orders)}/risk", None, "service", (200,))),
        (10, lambda r: ("GET", f"/users/{rc(r, t.risky_users)}/risk", None, "service", (200,))),
        (5, lambda r: ("GET", f"/users/nobody:{r.randint(0, 10**6)}/recommendations", None,
                       "service", (404,))),
        (8, lambda r: ("POST", "/analyst/queries/ring_orders",
                       {"params": {"identifier": rc(r, t.cards)}, "limit": 50}, "analyst", (200,))),
        (4, lambda r: ("POST", "/analyst/queries/user_risk", {"params": {"user": rc(r, t.users)}},
                       "analyst", (200,))),
        (4, lambda r: ("POST", "/analyst/queries/shared_identifier_rings",
                       {"params": {"min_users": r.randint(3, 6)}, "limit": 100}, "analyst",
                       (200,))),
        (5, lambda r: ("GET", "/health", None, "", (200,))),
        (4, lambda r: ("GET", "/ready", None, "", (200,))),
        *([(10, lambda r: ("POST", "/orders/score", rc(r, t.checkouts), "service", (200,)))]
          if t.checkouts else []),
    ]  # fmt: skip


@dataclass
class Sample:
    end: float
    latency_s: float
    ok: bool
    kind: str


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    whys: list[str] = field(default_factory=list)  # each failure's reason, in order

    def add(self, sample: Sample, why: str | None) -> None:
        self.samples.append(sample)
        if why is not None:
            self.failures[why] = self.failures.get(why, 0) + 1
            self.whys.append(why[:60])


async def client(
    wid: int, base: str, tokens: dict[str, str], mix: list[Any], seed: int, stop: float,
    rec: Recorder,
) -> None:  # fmt: skip
    """One client: a request, wait for the answer, the next (closed loop, no think time)."""
    rng = random.Random(seed * 1000 + wid)
    weights = [w for w, _ in mix]
    async with httpx.AsyncClient(base_url=base, timeout=30.0) as http:
        while time.monotonic() < stop:
            maker = rng.choices([m for _, m in mix], weights)[0]
            method, url, body, role, ok = maker(rng)
            headers = {"X-API-Key": tokens[role]} if role else {}
            kind = endpoint(url)
            why = None
            with Stopwatch() as request:
                try:
                    r = await http.request(method, url, json=body, headers=headers)
                    if r.status_code not in ok:
                        why = f"{method} {kind}: {r.status_code} {r.text[:120]}"
                except httpx.HTTPError as exc:
                    why = f"{method} {kind}: {type(exc).__name__}"
            rec.add(Sample(time.monotonic(), request.seconds, why is None, kind), why)


async def open_loop(
    base: str, tokens: dict[str, str], mix: list[Any], seed: int, rate: float, start: float,
    stop: float, cap: int, rec: Recorder,
) -> None:  # fmt: skip
    """Open loop: request ``i`` is due at ``start + i / rate`` and sent then whatever earlier
    ones do; its latency runs from that due time. Over ``cap`` in flight it is not sent (an
    error: the server is at least that far behind) rather than queued in the client, whose
    pool would then do work per waiting request and make the generator the bottleneck."""
    rng = random.Random(seed)
    weights = [w for w, _ in mix]
    limits = httpx.Limits(max_connections=cap, max_keepalive_connections=cap)
    in_flight: set[asyncio.Task[None]] = set()

    async def one(due: float, method: str, url: str, body: Any, role: str, ok: Any) -> None:
        headers = {"X-API-Key": tokens[role]} if role else {}
        kind, why = endpoint(url), None
        try:
            r = await http.request(method, url, json=body, headers=headers)
            if r.status_code not in ok:
                why = f"{method} {kind}: {r.status_code} {r.text[:120]}"
        except httpx.HTTPError as exc:
            why = f"{method} {kind}: {type(exc).__name__}"
        rec.add(Sample(time.monotonic(), time.monotonic() - due, why is None, kind), why)

    async with httpx.AsyncClient(base_url=base, timeout=30.0, limits=limits) as http:
        i = 0
        while (due := start + i / rate) < stop:
            i += 1
            if (delay := due - time.monotonic()) > 0:
                await asyncio.sleep(delay)
            method, url, body, role, ok = rng.choices([m for _, m in mix], weights)[0](rng)
            if len(in_flight) >= cap:
                kind = endpoint(url)
                rec.add(Sample(time.monotonic(), 0.0, False, kind), f"{method} {kind}: client_cap")
                continue
            task = asyncio.create_task(one(due, method, url, body, role, ok))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.gather(*in_flight)


def route_class(kind: str) -> str:
    """The gate a request goes through (``api.concurrency``): analyst queries apart."""
    return "analyst" if kind.startswith("analyst/") else "other"


async def saturation(
    base: str, tokens: dict[str, str], mix: list[Any], seed: int, clients: int, seconds: float
) -> dict[str, Any]:
    """The rate of this mix the service sustains, measured with ``clients`` closed-loop clients
    over ``seconds`` after a 5 s warm-up: the expected answers per second, or less where a route
    class sheds load first. The service bounds each class on its own (a full analyst queue
    answers 503 ``E612`` while scoring goes on), so at saturation the heavy analyst queries
    are shed and the rest keeps answering; the mix, whose analyst share is fixed, saturates
    where its first class does: that class's expected answers per second over its share of the
    requests sent."""
    rec = Recorder()
    start = time.monotonic()
    stop = start + 5.0 + seconds
    await asyncio.gather(*(client(i, base, tokens, mix, seed + 1, stop, rec)
                           for i in range(clients)))  # fmt: skip
    measured = [x for x in rec.samples if x.end >= start + 5.0]
    ok = [x for x in measured if x.ok]
    rate = len(ok) / seconds
    limits: dict[str, float] = {}
    for name in sorted({route_class(x.kind) for x in measured}):
        sent = [x for x in measured if route_class(x.kind) == name]
        if any(not x.ok for x in sent):  # this class shed load: it is the one saturated
            share = len(sent) / len(measured)
            limits[name] = round(sum(x.ok for x in sent) / seconds / share, 1)
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(measured),
        "errors": len(measured) - len(ok),
        "failures": dict(sorted(rec.failures.items(), key=lambda kv: -kv[1])[:10]),
        "answered_req_s": round(rate, 1),
        "class_limits_req_s": limits,
        "req_s": round(min([rate, *limits.values()]), 1),
        **percentiles([x.latency_s * 1000 for x in ok]),
    }


def tree_rss(proc: psutil.Process) -> float:
    """Resident memory of a process and all its descendants (``serve --workers N`` runs the
    app in N worker processes under one supervisor)."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):  # a worker restarting
            total += p.memory_info().rss
    return float(total)


def tree_cpu(proc: psutil.Process) -> float:
    """User + system CPU seconds of a process and its live descendants."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def endpoint(url: str) -> str:
    """The route a URL hits, keys replaced (``users/{key}/risk``), for per-endpoint figures."""
    parts = url.split("?")[0].strip("/").split("/")
    if len(parts) == 3 and parts[0] in ("users", "orders"):
        parts[1] = "{unknown}" if parts[1].startswith("nobody:") else "{key}"
    return "/".join(parts)


async def sampler(
    proc: psutil.Process, rec: Recorder, start: float, stop: float, window: float,
    windows: list[dict[str, Any]],
) -> None:  # fmt: skip
    """Every ``window`` s: RSS of the API process and the last window's latency and errors."""
    seen, seen_why, t_prev = 0, 0, start
    while True:
        now = time.monotonic()
        if now >= stop:
            break
        await asyncio.sleep(min(window, stop - now))
        t = time.monotonic()
        batch = rec.samples[seen:]
        seen += len(batch)
        lat = [s.latency_s * 1000 for s in batch]
        row = {
            "t_s": round(t - start, 1),
            "rss_mb": round(tree_rss(proc) / 2**20, 1),
            "requests": len(batch),
            "req_s": round(len(batch) / (t - t_prev), 1),
            **percentiles(lat),
            "errors": sum(not s.ok for s in batch),
            "error_kinds": _counts(rec.whys[seen_why:]),
            "load_1m": round(os.getloadavg()[0], 2),
        }
        seen_why = len(rec.whys)
        t_prev = t
        windows.append(row)
        print(
            f"{row['t_s']:7.1f} {row['rss_mb']:8.1f} {row['p50_ms']:8.1f} {row['p99_ms']:8.1f}"
            f" {row['req_s']:7.1f} {row['errors']:6d} {row['load_1m']:6.2f}"
            f" {json.dumps(row['error_kinds']) if row['errors'] else ''}",
            flush=True,
        )


def _counts(whys: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for w in whys:
        out[w] = out.get(w, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1])[:3])


def verdict(
    windows: list[dict[str, Any]], errors: int, warmup_s: float, rss_bound: float,
    p99_bound: float,
) -> dict[str, Any]:  # fmt: skip
    """No errors; RSS at the end within ``rss_bound`` of RSS just after warm-up; the median p99
    of the last third within ``p99_bound`` times the first third's (warm windows only)."""
    warm = [w for w in windows if w["t_s"] > warmup_s and w["requests"]]
    third = max(1, len(warm) // 3)
    rss0 = warm[0]["rss_mb"] if warm else float("nan")
    rss_end = max(w["rss_mb"] for w in warm[-third:]) if warm else float("nan")
    p99_first = statistics.median(w["p99_ms"] for w in warm[:third]) if warm else float("nan")
    p99_last = statistics.median(w["p99_ms"] for w in warm[-third:]) if warm else float("nan")
    growth = (rss_end - rss0) / rss0 if warm else float("nan")
    ratio = p99_last / p99_first if warm else float("nan")
    checks = {
        "no_errors": errors == 0,
        "memory_growth_ok": bool(warm) and growth < rss_bound,
        "p99_stable": bool(warm) and ratio <= p99_bound,
    }
    return {
        **checks,
        "passed": all(checks.values()),
        "rss_after_warmup_mb": rss0,
        "rss_end_max_mb": rss_end,
        "rss_growth": round(growth, 4),
        "rss_growth_bound": rss_bound,
        "p99_first_third_ms": p99_first,
        "p99_last_third_ms": p99_last,
        "p99_ratio": round(ratio, 3),
        "p99_ratio_bound": p99_bound,
        "warmup_s": warmup_s,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_api(
    cfg: ServerConfig, keys_file: Path, port: int, log: Path, args: argparse.Namespace
) -> subprocess.Popen[bytes]:
    """``cartograph serve`` on loopback against the soak's Neo4j (user-supplied-URI path), with
    the pseudonym secret the graph was ingested with, so checkouts get the graph's keys."""
    env = {
        **os.environ,
        "CARTOGRAPH_NEO4J_URI": cfg.bolt_uri,
        "CARTOGRAPH_NEO4J_PASSWORD": cfg.password_file.read_text().strip(),
        "CARTOGRAPH_API_KEYS_FILE": str(keys_file),
        "CARTOGRAPH_TRAIN_MODELS_DIR": str((args.models or WORK / "models").resolve()),
    }
    if args.secret_file:
        env["CARTOGRAPH_PSEUDONYM_SECRET_FILE"] = str(args.secret_file.resolve())
    else:
        env["CARTOGRAPH_PSEUDONYM_SECRET"] = SECRET.hex()
    workers = args.workers
    # ``-m`` from the repository root: the tree under test serves, not whatever checkout the
    # venv's ``cartograph`` entry point was installed from.
    cmd = [
        sys.executable,
        "-m",
        "cartograph.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"cartograph serve exited {proc.returncode}: {log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"the API was not ready within 120 s: {log.read_text()}")


def run_soak(args: argparse.Namespace) -> dict[str, Any]:
    cfg = soak_server_config(args.bolt_port, args.http_port, args.home)
    password = server.start(cfg)
    target = Neo4jTarget(cfg.bolt_uri, "neo4j", password, managed=False)
    try:
        if args.models is not None:  # a graph loaded and models trained on it already
            prepared: dict[str, Any] = {"reused": True, "models": str(args.models)}
        else:
            prepared = prepare_graph(target, args.reload)
        targets = find_targets(target)
        with open_driver(target) as d:
            neo4j_version = server_version(d)
        WORK.mkdir(parents=True, exist_ok=True)
        keys_file = WORK / "api_keys.json"
        keys_file.unlink(missing_ok=True)
        store = KeyStore(keys_file)
        tokens = {r: store.create(r, f"soak {r}")[1] for r in ("service", "analyst")}
        tokens[""] = ""
        port = free_port()
        api = start_api(cfg, keys_file, port, WORK / "serve.log", args)
        base = f"http://127.0.0.1:{port}"
        if args.data is not None and (args.data / "raw").exists():
            raw = checkouts(args.data, 300, args.seed)
            targets.checkouts, prepared["rejected_checkouts"] = valid_bodies(
                base, tokens["service"], raw
            )
        try:
            result = asyncio.run(_drive(api.pid, base, tokens, targets, args))
        finally:
            api.terminate()
            api.wait(30)
    finally:
        if not args.keep_server:
            server.stop(cfg)
    result.update(prepared=prepared, neo4j=neo4j_version)
    return result


async def _drive(
    pid: int, base: str, tokens: dict[str, str], targets: Targets, args: argparse.Namespace
) -> dict[str, Any]:
    rec = Recorder()
    windows: list[dict[str, Any]] = []
    mix = request_mix(targets)
    api = psutil.Process(pid)
    sat: dict[str, Any] | None = None
    rate = args.rate
    if args.saturation_fraction:
        sat = await saturation(base, tokens, mix, args.seed, args.concurrency,
                               args.saturation_seconds)  # fmt: skip
        rate = round(args.saturation_fraction * sat["req_s"], 1)
        print(f"saturation: {sat['req_s']} req/s of this mix ({sat['answered_req_s']} answered "
              f"as expected, limits of classes that shed load {sat['class_limits_req_s']}; "
              f"{sat['clients']} clients, {sat['errors']} errors {sat['failures']}, p99 "
              f"{sat['p99_ms']} ms) -> open loop at {rate} req/s")  # fmt: skip
    print(f"{'t s':>7} {'RSS MB':>8} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>7} {'errors':>6}"
          f" {'load':>6}")  # fmt: skip
    start = time.monotonic()
    stop = start + args.duration
    cpu0 = tree_cpu(api)
    if rate:
        load = [open_loop(base, tokens, mix, args.seed, rate, start, stop, args.cap, rec)]
    else:
        load = [client(i, base, tokens, mix, args.seed, stop, rec)
                for i in range(args.concurrency)]  # fmt: skip
    await asyncio.gather(sampler(api, rec, start, stop, args.window, windows), *load)
    cpu1 = tree_cpu(api)
    lat = [s.latency_s * 1000 for s in rec.samples]
    errors = sum(not s.ok for s in rec.samples)
    by_kind: dict[str, list[float]] = {}
    for s in rec.samples:
        by_kind.setdefault(s.kind, []).append(s.latency_s * 1000)
    return {
        "mode": f"open loop at {rate} req/s"
        if rate
        else f"closed loop, {args.concurrency} clients",
        "offered_req_s": rate,
        "saturation": sat,
        "api_processes": 1 + len(api.children(recursive=True)),
        "windows": windows,
        "totals": {
            "requests": len(rec.samples),
            "errors": errors,
            "req_s": round(len(rec.samples) / args.duration, 1),
            **percentiles(lat),
            "api_cpu_s": round(cpu1 - cpu0, 1),
            "by_endpoint": {k: {"n": len(v), **percentiles(v)} for k, v in sorted(by_kind.items())},
            "failures": dict(sorted(rec.failures.items(), key=lambda kv: -kv[1])[:20]),
        },
        "verdict": verdict(windows, errors, args.warmup, args.rss_bound, args.p99_bound),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--duration", type=float, default=600.0, help="seconds of traffic (600)")
    p.add_argument("--concurrency", type=int, default=20, help="concurrent clients (20)")
    p.add_argument("--window", type=float, default=5.0, help="sampling window in seconds (5)")
    p.add_argument("--warmup", type=float, default=60.0, help="seconds before the bounds apply")
    p.add_argument("--rss-bound", type=float, default=0.10, help="allowed RSS growth (0.10)")
    p.add_argument("--p99-bound", type=float, default=1.5, help="last/first-third p99 ratio")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--reload", action="store_true", help="rebuild the graph even if scored")
    p.add_argument("--keep-server", action="store_true", help="leave the soak's Neo4j running")
    p.add_argument("--out", type=Path, default=OUT_DIR / "soak.json")
    p.add_argument("--rate", type=float, default=None, help="open loop: requests per second")
    p.add_argument(
        "--saturation-fraction",
        type=float,
        default=None,
        help="open loop at this fraction of the saturation rate measured first",
    )
    p.add_argument(
        "--saturation-seconds",
        type=float,
        default=30.0,
        help="closed-loop seconds measuring the saturation rate (30)",
    )
    p.add_argument("--cap", type=int, default=200, help="open loop: most requests in flight")
    p.add_argument("--workers", type=int, default=None, help="`cartograph serve --workers`")
    p.add_argument("--home", type=Path, default=SOAK_HOME, help="the Neo4j home to start or reuse")
    p.add_argument(
        "--models",
        type=Path,
        default=None,
        help="serve these models on the graph already in --home (no demo run)",
    )
    p.add_argument(
        "--secret-file",
        type=Path,
        default=None,
        help="pseudonym secret that graph was ingested with (default: the soak's)",
    )
    p.add_argument(
        "--data",
        type=Path,
        default=ROOT / "var" / "data" / "marketplace-small-seed7",
        help="generated data whose raw orders become real-time checkouts",
    )
    p.add_argument("--bolt-port", type=int, default=7697)
    p.add_argument("--http-port", type=int, default=7484)
    args = p.parse_args()
    args.warmup = min(args.warmup, args.duration / 4)
    machine = Machine.here()
    result = run_soak(args)
    result = {
        "command": command_line(),
        "machine": machine.as_dict(),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        **result,
        "load_avg_1m_end": round(os.getloadavg()[0], 2),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    _print_summary(result)
    sys.exit(0 if result["verdict"]["passed"] else 1)


def _print_summary(result: dict[str, Any]) -> None:
    t, v = result["totals"], result["verdict"]
    print(f"\n{t['requests']} requests, {t['req_s']} req/s, p50 {t['p50_ms']} ms, "
          f"p99 {t['p99_ms']} ms, errors {t['errors']}")  # fmt: skip
    for why, n in t["failures"].items():
        print(f"  {n} x {why}")
    print(
        f"RSS {v['rss_after_warmup_mb']} MB after warm-up -> {v['rss_end_max_mb']} MB "
        f"(growth {v['rss_growth']:.1%}, bound {v['rss_growth_bound']:.0%}); p99 first third "
        f"{v['p99_first_third_ms']} ms, last third {v['p99_last_third_ms']} ms "
        f"(ratio {v['p99_ratio']}, bound {v['p99_ratio_bound']})"
    )
    print("verdict:", "PASS" if v["passed"] else "FAIL",
          {k: v[k] for k in ("no_errors", "memory_growth_ok", "p99_stable")})  # fmt: skip


if __name__ == "__main__":
    main()
