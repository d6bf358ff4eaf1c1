import os
from pathlib import Path

import pytest

from cartograph.errors import Neo4jServerError
from cartograph.settings import NEO4J_BROWSER_VERSION, NEO4J_VERSION
from graph import server
from graph.server import ServerConfig, find_java, read_pid, tail_logs, write_config


def _cfg(tmp_path: Path) -> ServerConfig:
    return ServerConfig(
        home=tmp_path / "neo",
        version=NEO4J_VERSION,
        browser_version=NEO4J_BROWSER_VERSION,
        bolt_port=17001,
        http_port=17002,
        heap="1g",
        pagecache="256m",
    )


def test_config_binds_loopback_and_uses_configured_ports(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    write_config(cfg)
    conf = (cfg.home / "conf" / "neo4j.conf").read_text().splitlines()
    assert "server.default_listen_address=127.0.0.1" in conf
    assert "server.bolt.listen_address=127.0.0.1:17001" in conf
    assert "server.http.listen_address=127.0.0.1:17002" in conf
    assert "server.memory.heap.max_size=1g" in conf
    # Neo4j refuses to start on a duplicated key: every key must appear once.
    keys = [line.split("=", 1)[0] for line in conf]
    assert len(keys) == len(set(keys))
    assert all(
        Path(line.split("=", 1)[1]).is_absolute()
        for line in conf
        if line.startswith("server.directories.")
    )


def test_find_java_returns_a_supported_jdk() -> None:
    java = find_java()
    assert server._java_major(java) in server.SUPPORTED_JAVA


def test_find_java_explains_when_none_is_supported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(server, "_java_major", lambda _java: 8)
    with pytest.raises(Neo4jServerError, match="E201"):
        find_java()


def test_stale_pid_file_reads_as_not_running(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    cfg.pid_file.parent.mkdir(parents=True)
    cfg.pid_file.write_text("999999999\n")
    assert read_pid(cfg) is None
    cfg.pid_file.write_text(f"{os.getpid()}\n")
    assert read_pid(cfg) == os.getpid()


def test_tail_logs_without_logs_says_so(tmp_path: Path) -> None:
    assert "no logs" in tail_logs(_cfg(tmp_path))


def test_installed_marker_tracks_versions(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    assert not server.is_installed(cfg)
    (cfg.home / "lib").mkdir(parents=True)
    (cfg.home / "lib" / ".installed").write_text("5.26.30/5.24.0\n")
    assert server.is_installed(cfg)
    (cfg.home / "lib" / ".installed").write_text("5.26.1/5.24.0\n")
    assert not server.is_installed(cfg)


def test_generated_passwords_can_never_be_read_as_an_option() -> None:
    """A password starting with '-' is parsed as a flag by neo4j-admin; hex never is."""
    passwords = {server.new_password() for _ in range(2000)}
    assert len(passwords) == 2000
    assert all(
        len(p) == 48 and p[0] != "-" and set(p) <= set("0123456789abcdef") for p in passwords
    )
