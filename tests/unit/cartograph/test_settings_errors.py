from pathlib import Path

import pytest

from cartograph.errors import CartographError, InputRecordError
from cartograph.runtime import resolve_target
from cartograph.settings import Settings


def test_defaults_use_the_managed_server() -> None:
    s = Settings()
    assert s.managed and s.neo4j.bolt_port == 7687 and s.neo4j.http_port == 7474


def test_env_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTOGRAPH_NEO4J_BOLT_PORT", "7999")
    monkeypatch.setenv("CARTOGRAPH_NEO4J_URI", "neo4j+s://example.databases.neo4j.io")
    monkeypatch.setenv("CARTOGRAPH_NEO4J_PASSWORD", "s3cret-pw")
    s = Settings()
    assert s.neo4j.bolt_port == 7999 and not s.managed
    target = resolve_target(s)  # external: nothing installed or started
    assert target.uri == "neo4j+s://example.databases.neo4j.io" and not target.managed
    assert "s3cret-pw" not in repr(target)


def test_external_uri_without_password_is_a_coded_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTOGRAPH_NEO4J_URI", "bolt://db:7687")
    with pytest.raises(CartographError, match=r"\[E101\]"):
        resolve_target(Settings())


def test_managed_without_password_file_explains(tmp_path: Path) -> None:
    s = Settings(neo4j={"home": tmp_path / "neo"})
    with pytest.raises(CartographError, match=r"\[E102\].*neo4j start"):
        resolve_target(s, start=False)


def test_input_record_error_names_record_and_field() -> None:
    err = InputRecordError(
        "not a date", source="webshop/orders.csv", record_id="WS-O1", field="created_at"
    )
    assert "WS-O1" in str(err) and "created_at" in str(err) and err.code == "E400"
