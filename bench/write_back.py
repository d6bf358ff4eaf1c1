"""Recommendation write-back at size: 600k ``RECOMMENDED`` relationships and the score CSV.

Issue 12 asks for the top 20 of ~30k users (600k relationships) and the full-precision score
CSV in two minutes. This times that write alone, without a model in front of it: 29,858 users x
40,981 products (the issue's check-in data) are created in the bench's own Neo4j, then seeded
top-20 lists with float scores are written the way ``cartograph score`` writes them:

* ``csv``: ``gnn.score.write_csv`` of the rows (``repr`` of each score: full precision),
* ``first``: ``graph.scores.write_scored_links`` onto a graph without ``RECOMMENDED``,
* ``rescore``: the same call again with another model's rows, so the 600k old relationships are
  deleted first (a re-score replaces them); the delete and the write are timed apart,
* ``load-csv``: the baseline, Neo4j's own ``LOAD CSV`` of the very same CSV from the server's
  import directory (after the same delete, ``CALL {...} IN TRANSACTIONS``), which costs no
  Bolt transport and no client: what the server alone needs for these rows.

The last write (``rescore``) is read back and compared with its CSV row by row (keys, rank, and
the score's exact ``repr``). Server memory is the bench default (heap 2g, page cache 2g).

    .venv/bin/python bench/write_back.py                        # 29,858 x 40,981, top 20
    .venv/bin/python bench/write_back.py --users 3000 --items 4100   # a quick run

It starts its own Neo4j (``--home``, default ``var/neo4j-writeback``, Bolt 7741 / HTTP 7541)
and stops it at the end unless ``--keep-server``.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bench.common import (
    ROOT,
    Machine,
    Stopwatch,
    bench_server,
    bench_server_config,
    command_line,
    process_cpu_seconds,
    reset_database,
)
from graph.connection import Driver
from graph.scores import ScoredLink, write_scored_links

USERS, ITEMS, TOP = 29_858, 40_981, 20
LOAD_CSV = """
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (a:User {key: row.source_key})
  MATCH (b:Product {key: row.target_key})
  CREATE (a)-[:RECOMMENDED {score: toFloat(row.score), rank: toInteger(row.rank),
                            model: $model}]->(b)
} IN TRANSACTIONS OF 10000 ROWS
"""
DELETE_ALL = """
MATCH (:User)-[r:RECOMMENDED]->(:Product)
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
"""


def top_lists(users: int, items: int, top: int, seed: int) -> list[ScoredLink]:
    """``top`` distinct products per user with decreasing float32 scores (as ``link_scores``
    yields them: ranked, rank 1 first), seeded."""
    rng = np.random.default_rng(seed)
    out: list[ScoredLink] = []
    for u in range(users):
        draw = rng.integers(0, items, 4 * top)
        _, first = np.unique(draw, return_index=True)
        row = draw[np.sort(first)][:top].tolist()
        scores = np.sort(rng.random(len(row)).astype(np.float32))[::-1].tolist()
        out.extend(
            ScoredLink(f"u{u}", f"p{i}", s, r + 1)
            for r, (i, s) in enumerate(zip(row, scores, strict=True))
        )
    return out


def create_nodes(driver: Driver, users: int, items: int) -> float:
    """Users and products with their key constraints (``reset_database`` applies the schema)."""
    from graph.records import NodeRecord
    from graph.writer import GraphWriter

    with Stopwatch() as sw:
        GraphWriter(driver, batch_size=10_000).write_nodes(
            [
                *(NodeRecord("User", f"u{k}", {}) for k in range(users)),
                *(NodeRecord("Product", f"p{k}", {}) for k in range(items)),
            ]
        )
    return sw.seconds


def write_csv_rows(path: Path, links: list[ScoredLink]) -> float:
    """``cartograph score``'s CSV of ``links`` (``gnn.tasks.write_back``), timed."""
    from gnn.score import write_csv

    with Stopwatch() as sw:
        write_csv(
            path,
            ["source_key", "target_key", "score", "rank"],
            ((r.start, r.end, repr(r.score), r.rank) for r in links),
        )
    return sw.seconds


def write_links(driver: Driver, links: list[ScoredLink], model: str, pid: int | None) -> dict:
    """``write_scored_links`` as ``cartograph score`` calls it; its delete and write apart."""
    cpu0 = process_cpu_seconds(pid)
    with Stopwatch() as sw:
        res = write_scored_links(
            driver, links, start_label="User", rel_type="RECOMMENDED", end_label="Product",
            model=model,
        )  # fmt: skip
    return {
        "seconds": round(sw.seconds, 1),
        **res.as_dict(),
        **{k: round(v, 1) for k, v in res.timings().items()},
        "server_cpu_s": round(process_cpu_seconds(pid) - cpu0, 1),
    }


def load_csv(driver: Driver, csv_path: Path, home: Path, model: str, pid: int | None) -> dict:
    """The baseline: delete every ``RECOMMENDED`` then ``LOAD CSV`` the file, both server-side."""
    target = home / "import" / csv_path.name
    shutil.copyfile(csv_path, target)
    cpu0 = process_cpu_seconds(pid)
    try:
        with Stopwatch() as delete, driver.session(database="neo4j") as s:
            removed = s.run(DELETE_ALL).consume().counters.relationships_deleted
        with Stopwatch() as load, driver.session(database="neo4j") as s:
            c = s.run(LOAD_CSV, url=f"file:///{target.name}", model=model).consume().counters
    finally:
        target.unlink(missing_ok=True)
    return {
        "seconds": round(delete.seconds + load.seconds, 1),
        "removed": removed,
        "written": c.relationships_created,
        "delete_s": round(delete.seconds, 1),
        "write_s": round(load.seconds, 1),
        "server_cpu_s": round(process_cpu_seconds(pid) - cpu0, 1),
    }


def read_back(driver: Driver) -> list[tuple[str, str, str, int]]:
    """Every ``RECOMMENDED`` as ``(user, product, repr(score), rank)``, sorted."""
    records, _, _ = driver.execute_query(
        "MATCH (a:User)-[r:RECOMMENDED]->(b:Product) "
        "RETURN a.key AS a, b.key AS b, r.score AS s, r.rank AS k",
        database_="neo4j",
    )
    return sorted((r["a"], r["b"], repr(r["s"]), int(r["k"])) for r in records)


def csv_rows(path: Path) -> list[tuple[str, str, str, int]]:
    with open(path, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        return sorted((a, b, s, int(k)) for a, b, s, k in rows)


def run(driver: Driver, a: argparse.Namespace, home: Path, pid: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"users": a.users, "items": a.items, "top": a.top}
    out["reset_s"] = round(reset_database(driver, settle_s=1.0), 1)
    out["nodes_s"] = round(create_nodes(driver, a.users, a.items), 1)
    with Stopwatch() as sw:
        first, second = (top_lists(a.users, a.items, a.top, a.seed + k) for k in (0, 1))
    out["rows"], out["generate_s"] = len(first), round(sw.seconds, 1)
    with tempfile.TemporaryDirectory(prefix="write-back-") as tmp:
        path = Path(tmp) / "scores.csv"
        out["csv_s"] = round(write_csv_rows(path, first), 1)
        out["first"] = write_links(driver, first, "bench/1", pid)
        out["load_csv"] = load_csv(driver, path, home, "bench/1", pid)
        out["csv_rescore_s"] = round(write_csv_rows(path, second), 1)
        out["rescore"] = write_links(driver, second, "bench/2", pid)
        with Stopwatch() as sw:
            got, want = read_back(driver), csv_rows(path)
        out["read_back_s"] = round(sw.seconds, 1)
        out["read_back_equal"] = got == want
        out["read_back_rows"] = len(got)
    out["score_total_s"] = round(out["csv_rescore_s"] + out["rescore"]["seconds"], 1)
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=USERS)
    p.add_argument("--items", type=int, default=ITEMS)
    p.add_argument("--top", type=int, default=TOP)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--home", type=Path, default=ROOT / "var" / "neo4j-writeback")
    p.add_argument("--bolt-port", type=int, default=7741)
    p.add_argument("--http-port", type=int, default=7541)
    p.add_argument("--keep-server", action="store_true")
    p.add_argument("--json", type=Path)
    a = p.parse_args(argv)
    from graph import server

    res: dict[str, Any] = {"command": command_line(), "machine": Machine.here().as_dict()}
    print(f"{res['command']}\n{res['machine']}", flush=True)
    cfg = dataclasses.replace(
        bench_server_config(), home=a.home.resolve(), bolt_port=a.bolt_port, http_port=a.http_port
    )
    with bench_server(cfg, keep=a.keep_server) as driver:
        res.update(run(driver, a, cfg.home, server.read_pid(cfg)))
    res["load_avg_end"] = Machine.here().load_avg_1m
    print(json.dumps({k: v for k, v in res.items() if k not in ("command", "machine")}, indent=1))
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
