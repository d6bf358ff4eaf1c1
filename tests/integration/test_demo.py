"""The main job against the real server: report files, counts, idempotent re-run, CLI status."""

import json
import os
import subprocess
import sys
from pathlib import Path

from cartograph.pipeline import run_demo
from extraction.pseudonymise import Pseudonymiser
from graph.connection import Driver, Neo4jTarget, count_by_label
from graph.server import ServerConfig

MAPPING = Path(__file__).resolve().parents[2] / "extraction" / "mappings" / "marketplace.yaml"


def test_demo_writes_report_with_reconciled_ingestion(
    driver: Driver, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    pseudo = Pseudonymiser(b"demo-test-secret-0123456789abcdef")
    first = run_demo(
        neo4j_target,
        tmp_path / "runs",
        tmp_path / "data",
        MAPPING,
        pseudo,
        "small",
        7,
        "http://x/browser/",
        show_progress=False,
    )
    report = json.loads((tmp_path / "runs" / "latest" / "report.json").read_text())
    assert report["seed"] == 7 and report["data"]["scale"] == "small"
    ing = report["ingestion"]
    assert ing["reconciles"] and ing["totals"]["read"] == sum(
        s["read"] for s in ing["sources"].values()
    )
    assert report["counts"]["nodes"]["User"] > 2_000
    assert (tmp_path / "runs" / "latest").resolve() == first.run_dir.resolve()
    ex = report["extraction"]
    # Issue targets on small: every extraction F1 >= 0.90 (ER as clusters; text on held-out).
    assert ex["customer_er"]["closure"]["f1"] >= 0.90 and ex["customer_er"]["precision"] >= 0.99
    assert ex["product_matching"]["closure"]["f1"] >= 0.90
    assert ex["attributes"]["heldout"]["f1"] >= 0.90
    assert ex["order_refs"]["heldout"]["f1"] >= 0.90
    assert ex["ticket_intent"]["heldout"]["accuracy"] >= 0.90
    assert ex["review_sentiment"]["heldout"]["accuracy"] >= 0.90
    assert report["counts"]["relationships"]["SAME_AS"] > 500
    md = (first.run_dir / "report.md").read_text()
    assert "| **total** |" in md and "reconcile" in md
    counts = count_by_label(driver)
    # A second demo rebuilds the managed graph from empty: same data, same graph.
    second = run_demo(
        neo4j_target,
        tmp_path / "runs",
        tmp_path / "data",
        MAPPING,
        pseudo,
        "small",
        7,
        None,
        show_progress=False,
    )
    assert count_by_label(driver) == counts
    assert second.report["counts"] == report["counts"]
    assert second.report["extraction"] == report["extraction"]  # deterministic end to end


def _cli(server: ServerConfig, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "CARTOGRAPH_NEO4J_HOME": str(server.home),
        "CARTOGRAPH_NEO4J_BOLT_PORT": str(server.bolt_port),
        "CARTOGRAPH_NEO4J_HTTP_PORT": str(server.http_port),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "cartograph.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_status_exits_zero_only_when_bolt_answers(neo4j_server: ServerConfig) -> None:
    up = _cli(neo4j_server, "neo4j", "status")
    assert up.returncode == 0, up.stdout + up.stderr
    down = _cli(neo4j_server, "neo4j", "status", CARTOGRAPH_NEO4J_BOLT_PORT="1")
    assert down.returncode == 1 and "down" in down.stdout


def test_cli_reports_coded_error_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cartograph.cli", "neo4j", "status"],
        env={**os.environ, "CARTOGRAPH_NEO4J_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "[E102]" in result.stdout and "Traceback" not in result.stderr
