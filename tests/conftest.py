"""Shared fixtures. Integration tests get their own managed Neo4j (separate home and ports), so
running the suite never touches the graph a user built with ``make demo``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cartograph.settings import NEO4J_BROWSER_VERSION, NEO4J_VERSION, PROJECT_ROOT
from graph.connection import Driver, Neo4jTarget, open_driver
from graph.server import ServerConfig, start, stop
from graph.writer import clear_database

TEST_HOME = Path(os.environ.get("CARTOGRAPH_TEST_NEO4J_HOME", PROJECT_ROOT / "var" / "neo4j-test"))


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[ServerConfig]:
    """The project's own Neo4j on test ports, started once per session and stopped at the end
    (set ``CARTOGRAPH_TEST_KEEP_NEO4J=1`` to leave it running between local runs)."""
    cfg = ServerConfig(
        home=TEST_HOME,
        version=NEO4J_VERSION,
        browser_version=NEO4J_BROWSER_VERSION,
        bolt_port=int(os.environ.get("CARTOGRAPH_TEST_BOLT_PORT", "17687")),
        http_port=int(os.environ.get("CARTOGRAPH_TEST_HTTP_PORT", "17474")),
        heap="1g",
        pagecache="512m",
        start_timeout_s=180,
    )
    start(cfg)
    yield cfg
    if os.environ.get("CARTOGRAPH_TEST_KEEP_NEO4J") != "1":
        stop(cfg)


@pytest.fixture(scope="session")
def neo4j_target(neo4j_server: ServerConfig) -> Neo4jTarget:
    password = neo4j_server.password_file.read_text().strip()
    return Neo4jTarget(uri=neo4j_server.bolt_uri, user="neo4j", password=password)


@pytest.fixture(scope="session")
def session_driver(neo4j_target: Neo4jTarget) -> Iterator[Driver]:
    with open_driver(neo4j_target) as drv:
        yield drv


@pytest.fixture()
def driver(session_driver: Driver) -> Driver:
    """A driver on an emptied database: each test starts from no nodes (schema is kept)."""
    clear_database(session_driver)
    return session_driver


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration talks to the real server: mark it so ``-m`` can pick."""
    for item in items:
        if "integration" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.neo4j)
