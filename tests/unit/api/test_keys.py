"""API keys: tokens verify, only hashes are stored, revocation and role checks hold."""

import stat
from pathlib import Path

import pytest

from api.keys import (
    CREATE_ORDERS,
    RELOAD_MODELS,
    ROLES,
    RUN_QUERIES,
    SCORE_ORDERS,
    KeyStore,
)
from cartograph.errors import ConfigError


def test_token_verifies_and_file_holds_only_a_salted_hash(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    key, token = store.create("service", "checkout")
    assert store.verify(token) == key
    text = (tmp_path / "keys.json").read_text()
    assert token not in text and token.split("_", 2)[2] not in text  # the secret may hold "_"
    assert stat.S_IMODE((tmp_path / "keys.json").stat().st_mode) == 0o600


def test_wrong_tokens_are_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    key, token = store.create("analyst")
    assert store.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert store.verify(f"cgk_{key.id}_") is None
    assert store.verify("not-a-token") is None
    assert store.verify("") is None


def test_revocation_is_seen_by_another_store_on_the_same_file(tmp_path: Path) -> None:
    server, cli = KeyStore(tmp_path / "k.json"), KeyStore(tmp_path / "k.json")
    key, token = cli.create("service")
    assert server.verify(token) is not None
    assert cli.revoke(key.id) and not cli.revoke(key.id)
    assert server.verify(token) is None


def test_unknown_role_and_least_privilege_roles(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        KeyStore(tmp_path / "k.json").create("root")
    assert KeyStore(tmp_path / "k.json").create("admin")[0].role == "admin"
    assert ROLES["analyst"] & {CREATE_ORDERS, SCORE_ORDERS, RELOAD_MODELS} == set()
    assert RUN_QUERIES not in ROLES["service"] and RELOAD_MODELS not in ROLES["service"]
    assert ROLES["admin"] == {RELOAD_MODELS}
    for a in ROLES:  # no role includes another: each is granted only what its job needs
        assert all(not ROLES[a] <= ROLES[b] for b in ROLES if b != a)
