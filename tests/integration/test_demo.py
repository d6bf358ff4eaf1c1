"""The main job against the real server: report files, counts, idempotent re-run, CLI status."""

import json
import os
import subprocess
import sys
from pathlib import Path

from cartograph.pipeline import run_demo
from graph.connection import Driver, Neo4jTarget, count_by_label
from graph.server import ServerConfig


def test_demo_writes_report_and_reruns_idempotently(
    driver: Driver, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    first = run_demo(neo4j_target, tmp_path, seed=7, browser_url="http://x/browser/")
    report = json.loads((tmp_path / "latest" / "report.json").read_text())
    assert report["seed"] == 7 and report["counts"]["nodes"]["User"] == 500
    assert report["load"]["missing_endpoints"] == 0
    assert (tmp_path / "latest").resolve() == first.run_dir.resolve()
    assert "| User | 500 |" in (first.run_dir / "report.md").read_text()
    counts = count_by_label(driver)
    second = run_demo(neo4j_target, tmp_path, seed=7, browser_url=None)
    assert second.report["load"]["nodes_created"] == 0
    assert count_by_label(driver) == counts
    assert (tmp_path / "latest").resolve() == second.run_dir.resolve()


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
