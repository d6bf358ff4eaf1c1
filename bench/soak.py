"""A bounded soak of the HTTP API: mixed traffic at fixed concurrency, memory and latency sampled.

    .venv/bin/python bench/soak.py                      # 10 minutes, 20 clients
    .venv/bin/python bench/soak.py --duration 60 --keep-server   # a short run, server kept

Issue 6 asks whether the service keeps working under steady load: no errors, memory that stops
growing once warm, and a p99 latency that does not drift. The script

1. starts its own Neo4j (``var/neo4j-bench-soak``, ports 7697/7484: never the developer's) and,
   unless the graph already holds scores from an earlier soak, loads the small built-in
   marketplace (seed 7) and trains both demo tasks with reduced epoch budgets, because the soak
   is about serving, not model quality;
2. runs ``cartograph serve`` as a subprocess (the production entry point) on a free loopback
   port, against that server, with API keys of its own;
3. drives it with ``--concurrency`` clients for ``--duration`` seconds: recommendations, link
   scores, order and user risk, analyst queries, ``/health`` and ``/ready`` (plus unknown keys,
   whose 404 is the expected answer);
4. every ``--window`` seconds records the API process's RSS and the window's request count,
   p50/p99 latency and errors, prints a table and a verdict, and writes ``bench/out/soak.json``.

An error is any answer other than the one the request expects (a 5xx, a 4xx on a valid request,
a timeout or a connection failure).
"""

from __future__ import annotations

import argparse
import asyncio
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
CLI = Path(sys.executable).parent / "cartograph"


def soak_server_config() -> ServerConfig:
    return ServerConfig(
        home=SOAK_HOME,
        version=NEO4J_VERSION,
        browser_version=NEO4J_BROWSER_VERSION,
        bolt_port=7697,
        http_port=7484,
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


def find_targets(target: Neo4jTarget) -> Targets:
    with open_driver(target) as d:
        users = [
            r["k"]
            for r in _rows(
                d,
                "MATCH (u:User)-[:RECOMMENDED]->() RETURN DISTINCT u.key AS k ORDER BY k LIMIT 500",
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

    def add(self, sample: Sample, why: str | None) -> None:
        self.samples.append(sample)
        if why is not None:
            self.failures[why] = self.failures.get(why, 0) + 1


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
    seen, t_prev = 0, start
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
            "rss_mb": round(proc.memory_info().rss / 2**20, 1),
            "requests": len(batch),
            "req_s": round(len(batch) / (t - t_prev), 1),
            **percentiles(lat),
            "errors": sum(not s.ok for s in batch),
            "load_1m": round(os.getloadavg()[0], 2),
        }
        t_prev = t
        windows.append(row)
        print(
            f"{row['t_s']:7.1f} {row['rss_mb']:8.1f} {row['p50_ms']:8.1f} {row['p99_ms']:8.1f}"
            f" {row['req_s']:7.1f} {row['errors']:6d}",
            flush=True,
        )


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


def start_api(cfg: ServerConfig, keys_file: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``cartograph serve`` on loopback against the soak's Neo4j (user-supplied-URI path)."""
    env = {
        **os.environ,
        "CARTOGRAPH_NEO4J_URI": cfg.bolt_uri,
        "CARTOGRAPH_NEO4J_PASSWORD": cfg.password_file.read_text().strip(),
        "CARTOGRAPH_API_KEYS_FILE": str(keys_file),
        "CARTOGRAPH_TRAIN_MODELS_DIR": str(WORK / "models"),
    }
    cmd = [str(CLI), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
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
    cfg = soak_server_config()
    password = server.start(cfg)
    target = Neo4jTarget(cfg.bolt_uri, "neo4j", password, managed=False)
    try:
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
        api = start_api(cfg, keys_file, port, WORK / "serve.log")
        try:
            result = asyncio.run(_drive(api.pid, f"http://127.0.0.1:{port}", tokens, targets, args))
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
    print(f"{'t s':>7} {'RSS MB':>8} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>7} {'errors':>6}")
    start = time.monotonic()
    stop = start + args.duration
    cpu0 = psutil.Process(pid).cpu_times()
    await asyncio.gather(
        sampler(psutil.Process(pid), rec, start, stop, args.window, windows),
        *(client(i, base, tokens, mix, args.seed, stop, rec) for i in range(args.concurrency)),
    )
    cpu1 = psutil.Process(pid).cpu_times()
    lat = [s.latency_s * 1000 for s in rec.samples]
    errors = sum(not s.ok for s in rec.samples)
    by_kind: dict[str, list[float]] = {}
    for s in rec.samples:
        by_kind.setdefault(s.kind, []).append(s.latency_s * 1000)
    return {
        "windows": windows,
        "totals": {
            "requests": len(rec.samples),
            "errors": errors,
            "req_s": round(len(rec.samples) / args.duration, 1),
            **percentiles(lat),
            "api_cpu_s": round(cpu1.user + cpu1.system - cpu0.user - cpu0.system, 1),
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
