"""The managed server itself: reachable, password-protected, data survives restarts."""

import stat
import urllib.request

import pytest

from cartograph.errors import Neo4jServerError
from graph.connection import Neo4jTarget, open_driver
from graph.server import ServerConfig, bolt_ready, read_pid, start, stop


def test_bolt_answers_and_password_file_is_private(
    neo4j_server: ServerConfig, neo4j_target: Neo4jTarget
) -> None:
    assert bolt_ready(neo4j_target.uri, "neo4j", neo4j_target.password)
    mode = stat.S_IMODE(neo4j_server.password_file.stat().st_mode)
    assert mode == 0o600


def test_wrong_password_is_refused(neo4j_target: Neo4jTarget) -> None:
    with pytest.raises(Neo4jServerError, match="E206"):
        bolt_ready(neo4j_target.uri, "neo4j", "not-the-password")


def test_browser_is_served(neo4j_server: ServerConfig) -> None:
    with urllib.request.urlopen(neo4j_server.browser_url, timeout=10) as resp:
        assert resp.status == 200
        assert b"Neo4j Browser" in resp.read()


def test_start_is_idempotent_and_data_survives_restart(
    neo4j_server: ServerConfig, neo4j_target: Neo4jTarget
) -> None:
    pid = read_pid(neo4j_server)
    start(neo4j_server)  # already running: reused, not restarted
    assert read_pid(neo4j_server) == pid
    with open_driver(neo4j_target) as drv:
        drv.execute_query("MERGE (:Survivor {key: 'restart-check'})")
    assert stop(neo4j_server)
    assert read_pid(neo4j_server) is None
    assert not bolt_ready(neo4j_target.uri, "neo4j", neo4j_target.password, timeout_s=1)
    start(neo4j_server)
    with open_driver(neo4j_target) as drv:
        records, _, _ = drv.execute_query(
            "MATCH (n:Survivor {key: 'restart-check'}) DETACH DELETE n RETURN count(*) AS c"
        )
    assert records[0]["c"] == 1
