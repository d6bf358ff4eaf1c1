"""Keyed pseudonyms and the secret file that keys them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cartograph.errors import ConfigError
from extraction.pseudonymise import Pseudonymiser, load_or_create_secret

SECRET = bytes(range(32))
OTHER = bytes(range(1, 33))


def test_token_shape_and_stability() -> None:
    token = Pseudonymiser(SECRET).token("email", "alice@example.com")
    kind, digest = token.split(":")
    assert kind == "email"
    assert len(digest) == 32 and int(digest, 16) >= 0
    assert Pseudonymiser(SECRET).token("email", "alice@example.com") == token


def test_kind_and_secret_separate_tokens() -> None:
    p = Pseudonymiser(SECRET)
    assert p.token("email", "x") != p.token("phone", "x")
    assert p.token("email", "x")[6:] != p.token("phone", "x")[6:]
    assert p.token("email", "x") != Pseudonymiser(OTHER).token("email", "x")
    assert p.token("email", "x") != p.token("email", "y")


def test_secret_never_shown() -> None:
    assert "0001" not in repr(Pseudonymiser(SECRET))


@pytest.mark.parametrize("kind", ["", "Email", "e-mail", "email:x", "x" * 40])
def test_bad_kinds_are_refused(kind: str) -> None:
    with pytest.raises(ValueError):
        Pseudonymiser(SECRET).token(kind, "x")


def test_short_secret_is_refused() -> None:
    with pytest.raises(ConfigError):
        Pseudonymiser(b"short")


@settings(max_examples=100, deadline=None)
@given(
    st.text(min_size=4, max_size=80).filter(
        lambda v: any(ch not in "0123456789abcdef" for ch in v)
    ),
    st.sampled_from(["email", "phone", "address"]),
)
def test_raw_value_never_appears_in_token(value: str, kind: str) -> None:
    token = Pseudonymiser(SECRET).token(kind, value)
    assert value not in token
    assert token == Pseudonymiser(SECRET).token(kind, value)
    assert len(token) == len(kind) + 33


def test_secret_file_is_created_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "pseudonym.key"
    secret = load_or_create_secret(path)
    assert len(secret) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == secret.hex()
    assert load_or_create_secret(path) == secret


def test_secret_file_mode_ignores_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        load_or_create_secret(tmp_path / "k")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_group_or_other_access_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "k"
    load_or_create_secret(path)
    path.chmod(mode)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_or_create_secret(path)


@pytest.mark.parametrize("content", ["", "not hex", "abcd", "zz" * 32])
def test_unreadable_secret_is_refused_not_replaced(tmp_path: Path, content: str) -> None:
    path = tmp_path / "k"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, content.encode())
    os.close(fd)
    with pytest.raises(ConfigError):
        load_or_create_secret(path)
    assert path.read_text() == content


def test_symlinked_secret_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "real"
    load_or_create_secret(target)
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(ConfigError):
        load_or_create_secret(link)


def test_existing_secret_is_read(tmp_path: Path) -> None:
    path = tmp_path / "k"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, (OTHER.hex() + "\n").encode())
    os.close(fd)
    assert load_or_create_secret(path) == OTHER
