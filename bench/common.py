"""Helpers shared by the benchmarks: a private Neo4j server, resetting it, counting, the machine.

Benchmarks must never touch the developer's server on 7687/7474, so they run their own under
``var/neo4j-bench`` on other ports, and stop it when they are done even if they fail.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from neo4j import Driver

from cartograph.settings import NEO4J_BROWSER_VERSION, NEO4J_VERSION
from graph import server
from graph.connection import Neo4jTarget, count_by_label, count_by_type, open_driver
from graph.server import ServerConfig
from graph.writer import apply_schema

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "bench" / "out"


class Stopwatch:
    """Wall-clock seconds on ``time.perf_counter`` (monotonic, the finest clock there is).

    One timer for every benchmark, so no two scripts time a phase differently. It runs from
    construction: ``sw = Stopwatch()`` then ``sw.seconds`` gives the time so far. As a context
    manager it times the block: ``with Stopwatch() as sw: ...`` leaves ``sw.seconds`` fixed at
    the block's duration.
    """

    def __init__(self) -> None:
        self._start = time.perf_counter()
        self._stop: float | None = None

    def __enter__(self) -> Stopwatch:
        self._start, self._stop = time.perf_counter(), None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop = time.perf_counter()

    @property
    def seconds(self) -> float:
        """Seconds from start to the block's end, or to now while still running."""
        return (time.perf_counter() if self._stop is None else self._stop) - self._start


def percentiles(ms: Sequence[float], qs: Sequence[int] = (50, 99)) -> dict[str, float]:
    """``{"p50_ms": ..., "p99_ms": ...}`` of latencies in milliseconds, rounded to 0.1 ms.

    numpy's default method (``np.percentile``, linear interpolation between the two nearest
    ranks), the one statistic every benchmark reports so their figures compare; NaN for each
    percentile when there are no samples.
    """
    if not len(ms):
        return {f"p{q}_ms": math.nan for q in qs}
    values = np.percentile(np.asarray(ms, dtype=float), list(qs))
    return {f"p{q}_ms": round(float(v), 1) for q, v in zip(qs, values, strict=True)}


def bench_server_config() -> ServerConfig:
    """Our own server: separate home and ports from the developer's, modest memory (2 cores)."""
    return ServerConfig(
        home=ROOT / "var" / "neo4j-bench",
        version=NEO4J_VERSION,
        browser_version=NEO4J_BROWSER_VERSION,
        bolt_port=7689,
        http_port=7476,
        heap="2g",
        pagecache="2g",
    )


@contextmanager
def bench_server(cfg: ServerConfig, keep: bool = False) -> Iterator[Driver]:
    """Start (or reuse) the bench server and yield a driver; stop it afterwards unless ``keep``."""
    try:
        password = server.start(cfg)
        driver = open_driver(Neo4jTarget(uri=cfg.bolt_uri, user="neo4j", password=password))
        try:
            yield driver
        finally:
            driver.close()
    finally:
        if not keep:
            server.stop(cfg)


def reset_database(driver: Driver, database: str = "neo4j", settle_s: float = 3.0) -> float:
    """Empty the database in batches, re-apply the schema and settle; returns seconds taken.

    Relationships go first: a 10k-node ``DETACH DELETE`` batch that holds the popular products
    also deletes their hundreds of thousands of relationships in one transaction and exceeds the
    server's 1g transaction memory pool. Both deletes must be auto-commit ``session.run``
    (``CALL ... IN TRANSACTIONS`` is refused in an explicit transaction). Community has no
    ``db.checkpoint()``, so a short pause lets the server finish background work from the delete
    before the next timed load. The constraints stay: every contender starts from one schema.
    """
    watch = Stopwatch()
    with driver.session(database=database) as session:
        session.run(
            "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
    apply_schema(driver, database)
    left = graph_counts(driver, database)
    if sum(left["nodes"].values()) or sum(left["relationships"].values()):
        raise RuntimeError(f"database not empty after reset: {left}")
    time.sleep(settle_s)
    return watch.seconds


def graph_counts(driver: Driver, database: str = "neo4j") -> dict[str, dict[str, int]]:
    """Nodes per label and relationships per type (count-store lookups, so cheap)."""
    return {
        "nodes": count_by_label(driver, database),
        "relationships": count_by_type(driver, database),
    }


@dataclass(frozen=True)
class Machine:
    """Where a number was measured; a rate means little without it."""

    nproc: int
    ram_gib: float
    cpu: str
    python: str
    load_avg_1m: float

    @classmethod
    def here(cls) -> Machine:
        return cls(
            nproc=os.cpu_count() or 0,
            ram_gib=round(_ram_bytes() / 2**30, 1),
            cpu=_cpu_model(),
            python=platform.python_version(),
            load_avg_1m=round(os.getloadavg()[0], 2),
        )

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def _ram_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def command_line() -> str:
    """The command as typed (interpreter relative to the cwd), so a result says how to rerun it."""
    return " ".join([os.path.relpath(sys.executable), *sys.argv])


def process_cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds a process has used so far (``/proc``); 0.0 if unreadable.

    Read for the server's pid before and after a load, it shows where a load's time goes: a
    client-bound loader leaves the server idle, a server-bound one keeps it near one core.
    """
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all processes have used so far (``/proc/stat``, idle and iowait excluded).

    Minus the client's and the server's own CPU over a phase, this is what other work on a shared
    machine took from the benchmark; a run with a lot of it is noisy, not slow.
    """
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user..steal minus idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def server_version(driver: Driver) -> str:
    """What the server says it is, rather than what we asked Maven for."""
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS v, edition",
        database_="system",
    )
    return f"{records[0]['v']} {records[0]['edition']}" if records else "unknown"
