"""The two write paths on the same records build the same graph: ``GraphWriter`` (columnar
UNWIND MERGE) and ``neo4j-admin database import full`` into the emptied test database.

The bulk path stops and restarts the session's test server; every test here leaves the database
loaded or empty, as the ``driver`` fixture expects (it empties it before each test)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from neo4j import GraphDatabase

from cartograph.errors import GraphWriteError
from cartograph.pipeline import MARKETPLACE_MAPPING as MAPPING
from cartograph.pipeline import run_ingest
from extraction.pseudonymise import Pseudonymiser
from graph.bulk import bulk_load, choose_write_mode, plan_import
from graph.connection import Driver, Neo4jTarget, open_driver
from graph.records import NodeRecord, RelRecord
from graph.server import ServerConfig
from graph.writer import GraphWriter, clear_database
from testbeds.sample import SampleSize, sample_graph


@pytest.fixture(autouse=True)
def _forget_old_bookmarks(session_driver: Driver) -> Iterator[None]:
    """The import replaces the store, so transaction ids start again: the session driver's
    ``execute_query`` bookmarks name transactions the new store never had (BookmarkTimeout).
    Only a driver that lived across the import has them (each job opens its own); the test
    session's one is given a fresh bookmark manager (no public way to clear it)."""
    yield
    session_driver._query_bookmark_manager = GraphDatabase.bookmark_manager()  # type: ignore[attr-defined]


SMALL = SampleSize(users=80, products=30, orders=200, rings=2, ring_size=3)
AT = datetime(2025, 3, 1, 10, 30, 15, 123456, tzinfo=UTC)


def _records() -> tuple[list[NodeRecord], list[RelRecord]]:
    """The sample graph plus every awkward case: duplicate keys with different property sets
    (the last wins, an explicit None removes), quotes, commas, newlines and empty strings,
    lists, dates, fixed-offset and naive datetimes, duplicate and dangling relationships.
    (No ``zoneinfo`` datetime: neo4j 6.4.1's driver shifts one by an hour from the second
    send on, so the writer's side is not a fixed reference; the pipeline sends UTC.)"""
    nodes, rels = sample_graph(SMALL, seed=5)
    plus2 = timezone(timedelta(hours=2))
    nodes += [
        NodeRecord("Shop", "s1", {"name": 'Quote "q", comma', "tags": ["a", "b;c"], "n": 1}),
        NodeRecord("Shop", "s2", {"name": "", "note": "two\nlines", "score": 0.1 + 0.2}),
        NodeRecord("Shop", "s1", {"n": 2, "opened": date(2020, 5, 17), "gone": None}),
        NodeRecord("Shop", "s3", {"name": "x", "city": "Leeds"}),
        NodeRecord("Shop", "s3", {"city": None, "flag": True, "ids": [3, 1, 2]}),
        NodeRecord("Shop", "s4", {"local": datetime(2024, 2, 29, 23, 59, 59)}),
        NodeRecord("Shop", "s6", {"at": datetime(2024, 6, 1, 9, tzinfo=plus2), "w": [0.5, 1.5]}),
    ]
    first_user = next(n.key for n in nodes if n.label == "User")
    rels += [
        RelRecord("LISTS", "Shop", "s1", "Product", "P000001", {"since": AT, "rank": 1}),
        RelRecord("LISTS", "Shop", "s1", "Product", "P000001", {"rank": 2}),  # same edge: merged
        RelRecord("LISTS", "Shop", "s2", "Product", "P000002"),
        RelRecord("LISTS", "Shop", "s-missing", "Product", "P000002"),
        RelRecord("VISITED", "User", first_user, "Shop", "s9-missing", {"n": 1}),
    ]
    return nodes, rels


def _graph(driver: Driver) -> dict[str, Any]:
    """Everything the graph says: counts per label and type, every property with its type."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, n.key AS key, "
        "[k IN keys(n) | [k, valueType(n[k]), n[k]]] AS props"
    )
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN labels(a)[0] + ':' + a.key AS a, type(r) AS t, "
        "labels(b)[0] + ':' + b.key AS b, [k IN keys(r) | [k, valueType(r[k]), r[k]]] AS props"
    )
    by_label: dict[str, int] = {}
    for r in nodes:
        by_label[r["labels"][0]] = by_label.get(r["labels"][0], 0) + 1
    by_type: dict[str, int] = {}
    for r in rels:
        by_type[r["t"]] = by_type.get(r["t"], 0) + 1
    return {
        "labels": by_label,
        "types": by_type,
        "nodes": {(tuple(r["labels"]), r["key"]): sorted(map(repr, r["props"])) for r in nodes},
        "rels": {(r["a"], r["t"], r["b"]): sorted(map(repr, r["props"])) for r in rels},
    }


def _constraints(driver: Driver) -> set[tuple[str, str]]:
    records, _, _ = driver.execute_query(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties RETURN labelsOrTypes[0] AS l, "
        "properties[0] AS p"
    )
    return {(r["l"], r["p"]) for r in records}


def test_bulk_import_and_the_writer_build_the_same_graph(
    driver: Driver, neo4j_server: ServerConfig, neo4j_target: Neo4jTarget
) -> None:
    nodes, rels = _records()
    writer = GraphWriter(driver, batch_size=64)
    incremental = writer.write_nodes(nodes)
    incremental.add(writer.write_relationships(rels))
    expected = _graph(driver)
    constraints = _constraints(driver)
    assert expected["labels"]["Shop"] == 5 and expected["types"]["LISTS"] == 2
    assert incremental.missing_endpoints == 2

    clear_database(driver)
    driver.execute_query("CREATE INDEX shop_city IF NOT EXISTS FOR (s:Shop) ON (s.city)")
    bulk = bulk_load(neo4j_server, neo4j_target, nodes, rels)
    assert bulk.write_mode == "bulk"
    with open_driver(neo4j_target) as fresh:
        assert _graph(fresh) == expected
        assert _constraints(fresh) == constraints  # the writer's key constraints, kept
        indexes, _, _ = fresh.execute_query("SHOW INDEXES YIELD name WHERE name = 'shop_city'")
        assert indexes  # an index the empty database had is back
        fresh.execute_query("DROP INDEX shop_city")
    for name in ("node_rows", "rel_rows", "nodes_created", "relationships_created"):
        assert getattr(bulk, name) == getattr(incremental, name), name
    assert bulk.missing_endpoints == incremental.missing_endpoints == 2
    assert dict(bulk.by_label) == dict(incremental.by_label)


def test_auto_is_bulk_only_into_the_empty_managed_database(
    driver: Driver, neo4j_server: ServerConfig, neo4j_target: Neo4jTarget
) -> None:
    assert choose_write_mode("auto", neo4j_target, neo4j_server)[0] == "bulk"
    assert choose_write_mode("auto", neo4j_target, None)[0] == "incremental"
    assert choose_write_mode("incremental", neo4j_target, neo4j_server)[0] == "incremental"
    GraphWriter(driver).write_nodes([NodeRecord("User", "u1")])
    assert choose_write_mode("auto", neo4j_target, neo4j_server) == (
        "incremental",
        "the database has nodes",
    )
    with pytest.raises(GraphWriteError, match="E313"):
        choose_write_mode("bulk", neo4j_target, neo4j_server)
    with pytest.raises(GraphWriteError, match="E313"):  # checked again right before the import
        bulk_load(neo4j_server, neo4j_target, [NodeRecord("User", "u2")], [])
    own = Neo4jTarget(neo4j_target.uri, "neo4j", neo4j_target.password, managed=False)
    with pytest.raises(GraphWriteError, match="E312"):
        choose_write_mode("bulk", own, neo4j_server)
    with pytest.raises(GraphWriteError, match="E316"):
        choose_write_mode("fast", neo4j_target, neo4j_server)


def test_the_import_files_are_deleted_and_were_private(
    driver: Driver, neo4j_server: ServerConfig, neo4j_target: Neo4jTarget, monkeypatch: Any
) -> None:
    import graph.bulk as bulk

    seen: list[tuple[Path, int, list[str]]] = []
    real = bulk.run_import

    def spy(
        cfg: ServerConfig, database: str, args: list[str], folder: Path, multiline: bool
    ) -> float:
        seen.append(
            (folder, folder.stat().st_mode & 0o777, sorted(p.name for p in folder.iterdir()))
        )
        return real(cfg, database, args, folder, multiline)

    monkeypatch.setattr(bulk, "run_import", spy)
    plan = plan_import([NodeRecord("User", "u1", {"a": 1})], [])
    bulk_load(neo4j_server, neo4j_target, [], [], plan)
    ((folder, mode, files),) = seen
    assert mode == 0o700 and files == ["nodes_0.csv"]
    assert not folder.exists()
    with open_driver(neo4j_target) as fresh:
        records, _, _ = fresh.execute_query("MATCH (u:User {key: 'u1'}) RETURN u.a AS a")
        assert records[0]["a"] == 1


def test_the_marketplace_ingested_both_ways_is_the_same_graph(
    driver: Driver,
    neo4j_server: ServerConfig,
    neo4j_target: Neo4jTarget,
    marketplace_data: Path,
    tmp_path: Path,
) -> None:
    """The real pipeline on the small built-in marketplace (seed 7): ``auto`` picks the import
    into the emptied test database, and it stores exactly what the writer stores."""
    pseudo = Pseudonymiser(b"integration-test-secret-0123456789")
    runs = [tmp_path / "incremental", tmp_path / "auto"]
    for run in runs:
        run.mkdir()
    deduped, written, _ = run_ingest(
        neo4j_target, marketplace_data, MAPPING, pseudo, runs[0], show_progress=False,
        write_mode="incremental", server=neo4j_server,
    )  # fmt: skip
    expected, constraints = _graph(driver), _constraints(driver)
    clear_database(driver)
    raw, imported, _ = run_ingest(
        neo4j_target, marketplace_data, MAPPING, pseudo, runs[1], show_progress=False,
        write_mode="auto", server=neo4j_server,
    )  # fmt: skip
    assert (written.write_mode, imported.write_mode) == ("incremental", "bulk")
    # the import got the records as extracted, repeats and all (its planner merges them): no
    # dedupe pass before it, and still the writer's graph (below)
    assert deduped.deduplicated and not raw.deduplicated
    assert "dedupe_s" in deduped.timings and "dedupe_s" not in raw.timings
    assert len(raw.rels) > len(deduped.rels) and imported.rel_rows == len(raw.rels)
    # where the import's time went, every step of it, reported with the counts
    steps = {"plan_s", "prepare_s", "stop_s", "import_s", "start_s", "schema_s"}
    assert steps | {"marketplace_schema_s"} <= set(imported.steps_s)
    assert "steps_s" in imported.as_dict() and "steps_s" not in written.as_dict()
    with open_driver(neo4j_target) as fresh:
        got = _graph(fresh)
        assert got["labels"] == expected["labels"] and got["types"] == expected["types"]
        assert got == expected
        assert _constraints(fresh) == constraints
    assert sum(expected["labels"].values()) == imported.nodes_created > 10_000
    assert imported.missing_endpoints == written.missing_endpoints


def test_cli_bulk_on_a_users_neo4j_stops_before_reading(
    neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    """``--write-mode bulk`` needs the managed server's files: against any other Neo4j it is a
    coded error before a row is read, nothing written (exit 1)."""
    (tmp_path / "users.csv").write_text("id,city\n1,Lyon\n")
    (tmp_path / "m.yaml").write_text(
        "version: 1\nsources:\n  users:\n    path: users.csv\n    record_id: id\n"
        "    nodes:\n      user: {label: Shopper, key: 'shop:{id}'}\n"
    )
    env = {
        **os.environ,
        "CARTOGRAPH_NEO4J_URI": neo4j_target.uri,
        "CARTOGRAPH_NEO4J_PASSWORD": neo4j_target.password,
        "CARTOGRAPH_RUNS_DIR": str(tmp_path / "runs"),
        "CARTOGRAPH_PSEUDONYM_SECRET": "ab" * 32,
    }
    cmd = [sys.executable, "-m", "cartograph.cli", "ingest", "--data", str(tmp_path)]
    cmd += ["--mapping", str(tmp_path / "m.yaml"), "--write-mode", "bulk"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "[E312]" in out and "Traceback" not in out, out
    assert not list((tmp_path / "runs").glob("*/rejects.csv"))  # stopped before reading
