"""Fault scenarios for ingestion: Neo4j killed, stopped or absent while ``cartograph ingest`` runs.

For each scenario the real command runs in a subprocess against a private server; the fault is
injected at a chosen phase; the command's exit code, coded message and time to fail are
recorded; then the server is (re)started, the same command re-run, and the graph's counts by
label and type compared with a clean run's. Loopback only; the server is this script's own
(``var/neo4j-fault-bench``, ports 7695/7482) and is stopped at the end. Usage::

    .venv/bin/python bench/faults.py                  # webshop slice of the small marketplace
    .venv/bin/python bench/faults.py --sources all    # every source (slower)

The integration test ``tests/integration/test_faults_ingest.py`` is the automated version of
the ``kill -9 in relationships`` row.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as a script: make ``bench`` importable from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT_DIR, ROOT, Stopwatch, bench_server_config
from cartograph.pipeline import ensure_marketplace
from graph import server
from graph.connection import Driver, Neo4jTarget, count_by_label, count_by_type, open_driver
from graph.server import ServerConfig
from graph.writer import clear_database

MAPPING = ROOT / "extraction" / "mappings" / "marketplace.yaml"
WEBSHOP = ("webshop_customers", "webshop_products", "webshop_orders", "webshop_order_items")
CLI = Path(sys.executable).parent / "cartograph"
Counts = tuple[dict[str, int], dict[str, int]]


@dataclass
class Scenario:
    name: str
    phase: str  # "nodes", "relationships" or "before"
    fault: Callable[[ServerConfig], object]


def _kill(cfg: ServerConfig) -> None:
    pid = server.read_pid(cfg)
    assert pid is not None, "server not running"
    os.kill(pid, signal.SIGKILL)


SCENARIOS = [
    Scenario("kill -9 during nodes", "nodes", _kill),
    Scenario("kill -9 during relationships", "relationships", _kill),
    Scenario("clean stop (SIGTERM) during relationships", "relationships", server.stop),
    Scenario("Neo4j down before the command starts", "before", server.stop),
]


def _ingest(cfg: ServerConfig, data: Path, mapping: Path, batch: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "CARTOGRAPH_NEO4J_URI": cfg.bolt_uri,
        "CARTOGRAPH_NEO4J_PASSWORD": cfg.password_file.read_text().strip(),
        "CARTOGRAPH_RUNS_DIR": str(OUT_DIR / "faults-runs"),
        "CARTOGRAPH_PSEUDONYM_SECRET": "5f" * 32,
        "CARTOGRAPH_INGEST_BATCH_SIZE": str(batch),
        "COLUMNS": "200",
    }
    cmd = [str(CLI), "ingest", "--data", str(data), "--mapping", str(mapping)]
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _counts(driver: Driver) -> Counts:
    return count_by_label(driver), count_by_type(driver)


def _wait_for(driver: Driver, phase: str, proc: subprocess.Popen[str]) -> None:
    query = (
        "MATCH (n) RETURN count(n) AS n"
        if phase == "nodes"
        else "MATCH ()-[r]->() RETURN count(r) AS n"
    )
    while proc.poll() is None:
        if driver.execute_query(query)[0][0]["n"] > 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"the load ended before its {phase} phase could be interrupted")


def run_scenario(
    s: Scenario, cfg: ServerConfig, data: Path, mapping: Path, clean: Counts
) -> dict[str, Any]:
    target = Neo4jTarget(cfg.bolt_uri, "neo4j", server.start(cfg))
    with open_driver(target) as driver:
        clear_database(driver)
        if s.phase == "before":
            s.fault(cfg)
            failing = Stopwatch()
            proc = _ingest(cfg, data, mapping, 100)
        else:
            proc = _ingest(cfg, data, mapping, 100)
            _wait_for(driver, s.phase, proc)
            s.fault(cfg)
            failing = Stopwatch()
    out, _ = proc.communicate(timeout=600)
    fail_s = failing.seconds
    with Stopwatch() as restarting:
        target = replace(target, password=server.start(cfg))
    restart_s = restarting.seconds
    with open_driver(target) as driver:
        partial = _counts(driver)
        rerun = _ingest(cfg, data, mapping, 10_000)
        rerun_out, _ = rerun.communicate(timeout=600)
        final = _counts(driver)
    coded = re.search(r"\[E\d{3}\].*", " ".join(out.split()))  # rich wraps long lines
    message = coded.group() if coded else out.strip()[-300:]
    return {
        "scenario": s.name,
        "exit_code": proc.returncode,
        "coded_message": coded is not None,
        "message": message[:400],
        "traceback": "Traceback" in out,
        "seconds_to_fail": round(fail_s, 1),
        "restart_s": round(restart_s, 1),
        "relationships_before_rerun": sum(partial[1].values()),
        "rerun_exit_code": rerun.returncode,
        "rerun_tail": rerun_out.strip().splitlines()[-1:] if rerun.returncode else [],
        "equals_clean_run": final == clean,
        "nodes": sum(final[0].values()),
        "relationships": sum(final[1].values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", choices=["webshop", "all"], default="webshop")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = ensure_marketplace(ROOT / "var" / "data", "small", args.seed)
    raw = yaml.safe_load(MAPPING.read_text())
    if args.sources == "webshop":
        raw["sources"] = {k: raw["sources"][k] for k in WEBSHOP}
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    mapping = OUT_DIR / f"faults-mapping-{args.sources}.yaml"
    mapping.write_text(yaml.safe_dump(raw, sort_keys=False))
    cfg = replace(
        bench_server_config(), home=ROOT / "var" / "neo4j-fault-bench", bolt_port=7695,
        http_port=7482, heap="1g", pagecache="512m", start_timeout_s=300,
    )  # fmt: skip
    try:
        target = Neo4jTarget(cfg.bolt_uri, "neo4j", server.start(cfg))
        with open_driver(target) as driver:
            clear_database(driver)
            proc = _ingest(cfg, data, mapping, 10_000)
            out, _ = proc.communicate(timeout=900)
            if proc.returncode:
                raise RuntimeError(f"clean run failed: {out[-2000:]}")
            clean = _counts(driver)
        rows = [run_scenario(s, cfg, data, mapping, clean) for s in SCENARIOS]
    finally:
        server.stop(cfg)
    report = {"data": f"marketplace small seed {args.seed}, sources {args.sources}",
              "clean": {"nodes": sum(clean[0].values()), "relationships": sum(clean[1].values())},
              "scenarios": rows}  # fmt: skip
    (OUT_DIR / "faults.json").write_text(json.dumps(report, indent=2))
    print(f"{report['data']}; clean run: {report['clean']}\n")
    print(
        "| fault | exit | message | s to fail | restart s | rels before re-run | re-run = clean |"
    )
    print("|---|---:|---|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['scenario']} | {r['exit_code']} | `{r['message'][:110]}` "
            f"| {r['seconds_to_fail']} | {r['restart_s']} | {r['relationships_before_rerun']:,} "
            f"| {r['equals_clean_run']} |"
        )


if __name__ == "__main__":
    main()
