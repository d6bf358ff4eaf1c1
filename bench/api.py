"""Latency and throughput of the HTTP API under a bounded concurrent load on loopback.

    .venv/bin/python -m bench.api --models var/models-h5 [--seconds 20] [--clients 50]

Starts its own Neo4j (``var/neo4j-bench-api``, Bolt 7693, HTTP 7480; never the developer's
7687), loads the small marketplace (seed 7) into it once with the project's pseudonym secret,
starts ``cartograph serve`` (live models from ``--models``) on a free loopback port in its own
process, then for each endpoint runs ``--clients`` concurrent httpx clients for ``--seconds``
(after a short warm-up) and reports p50/p99 latency, throughput and errors, beside a baseline
endpoint that answers with plain Cypher lookups (``GET /orders/{key}/risk``: two read queries).
Results go to ``bench/out/api.json``; docs/serving.md records them.
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
from pathlib import Path
from typing import Any

import httpx

from api.keys import KeyStore
from bench.common import OUT_DIR, ROOT, Machine, Stopwatch, command_line, graph_counts, percentiles
from cartograph.pipeline import run_ingest
from cartograph.runtime import pseudonymiser
from cartograph.settings import NEO4J_BROWSER_VERSION, NEO4J_VERSION, Settings
from gnn.artefacts import load_artefact, resolve
from graph import server
from graph.connection import Neo4jTarget, open_driver
from graph.server import ServerConfig
from testbeds.marketplace import generate

Request = Callable[[httpx.AsyncClient], Any]


def bench_api_server() -> ServerConfig:
    return ServerConfig(
        home=ROOT / "var" / "neo4j-bench-api", version=NEO4J_VERSION,
        browser_version=NEO4J_BROWSER_VERSION, bolt_port=7693, http_port=7480, heap="1g",
        pagecache="1g",
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_api(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    cli = [sys.executable, "-m", "cartograph.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen(cli, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the API exited during start-up")
        time.sleep(1)
    proc.terminate()
    raise RuntimeError("the API did not become ready in 180 s")


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


async def load(url: str, token: str, make: Request, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` workers send back-to-back requests for ``seconds`` (after 2 s warm-up)."""
    lat: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": token}, limits=limits,
                                 timeout=30) as client:  # fmt: skip
        warm_end = time.monotonic() + 2.0
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


def endpoints(
    users: list[str], orders: list[str], bodies: list[dict[str, Any]]
) -> dict[str, Request]:
    rnd = random.Random(7)
    return {
        "baseline: GET /orders/{key}/risk (Cypher)": lambda c: c.get(
            f"/orders/{rnd.choice(orders)}/risk"
        ),
        "GET /users/{key}/recommendations?k=10": lambda c: c.get(
            f"/users/{rnd.choice(users)}/recommendations", params={"k": 10}
        ),
        "POST /orders/score (real time)": lambda c: c.post(
            "/orders/score", json=rnd.choice(bodies)
        ),
    }


def table(results: dict[str, dict[str, Any]]) -> str:
    base = next(iter(results.values()))
    lines = ["| endpoint | requests | errors | req/s | p50 ms | p99 ms | p50 / base | p99 / base |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, r in results.items():
        ratio = [r[k] / base[k] if r[k] and base[k] else float("nan") for k in ("p50_ms", "p99_ms")]
        lines.append(
            f"| {name} | {r['requests']} | {r['errors']} | {r['throughput_rps']} | {r['p50_ms']} "
            f"| {r['p99_ms']} | {ratio[0]:.2f} | {ratio[1]:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=Path, default=ROOT / "var" / "models-h5")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--keep-server", action="store_true")
    args = ap.parse_args()
    cfg = bench_api_server()
    settings = Settings()
    data = settings.data_dir / "marketplace-small-seed7"
    password = server.start(cfg)
    target = Neo4jTarget(uri=cfg.bolt_uri, user="neo4j", password=password)
    api: subprocess.Popen[bytes] | None = None
    try:
        counts = load_graph(target, settings, data)
        with tempfile.TemporaryDirectory() as tmp:
            keys = Path(tmp) / "keys.json"
            token = KeyStore(keys).create("service", "bench")[1]
            port = free_port()
            env = {**os.environ, "CARTOGRAPH_NEO4J_URI": cfg.bolt_uri,
                   "CARTOGRAPH_NEO4J_PASSWORD": password,
                   "CARTOGRAPH_TRAIN_MODELS_DIR": str(args.models),
                   "CARTOGRAPH_API_KEYS_FILE": str(keys)}  # fmt: skip
            api = start_api(env, port)
            rec = load_artefact(resolve(args.models, "recommend"))
            fraud = load_artefact(resolve(args.models, "fraud"))
            rnd = random.Random(7)
            users = rnd.sample(rec.keys[rec.manifest["source"]], 500)
            orders = rnd.sample([k for k in fraud.keys["Order"] if k.startswith("webshop:")], 500)
            bodies, rejected = valid_bodies(
                f"http://127.0.0.1:{port}", token, checkouts(data, 500, 7)
            )
            reqs = endpoints(users, orders, bodies)
            url = f"http://127.0.0.1:{port}"
            results = {name: asyncio.run(load(url, token, make, args.clients, args.seconds))
                       for name, make in reqs.items()}  # fmt: skip
    finally:
        if api is not None:
            api.terminate()
            api.wait(30)
        if not args.keep_server:
            server.stop(cfg)
    report = {
        "command": command_line(), "machine": Machine.here().as_dict(),
        "clients": args.clients, "seconds": args.seconds, "graph": counts["nodes"],
        "models": {"recommend": rec.version, "fraud": fraud.version}, "results": results,
        "checkouts": {"valid": len(bodies), "rejected": rejected},
    }  # fmt: skip
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "api.json").write_text(json.dumps(report, indent=2))
    print(table(results))
    print(f"machine load (1 min) at the end: {report['machine']['load_avg_1m']}")


if __name__ == "__main__":
    main()
