"""Keyed pseudonyms for personal identifiers, so the graph links people without storing them.

E-mails, phones and addresses are what tie accounts together, but the graph, its exports and the
models never need the raw values: only "these two accounts share one". A keyed HMAC gives equal
tokens for equal normalised values while, unlike a plain hash, resisting a dictionary attack by
anyone who lacks the secret. The secret lives in a 0600 file next to the data, like a password file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from pathlib import Path

from cartograph.errors import ConfigError

SECRET_BYTES = 32
MIN_SECRET_BYTES = 16
TOKEN_HEX_CHARS = 32
_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
_DOMAIN = b"cartograph/pseudonym/v1/"


class Pseudonymiser:
    """Turns (kind, normalised value) into "kind:<32 hex>" with one secret for the whole load."""

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"pseudonymisation secret must be at least {MIN_SECRET_BYTES} bytes", code="E120"
            )
        self._secret = secret
        self._keys: dict[str, bytes] = {}

    def __repr__(self) -> str:
        return "Pseudonymiser(secret=<hidden>)"

    def token(self, kind: str, normalised_value: str) -> str:
        """A stable token; different kinds use different derived keys, so an e-mail and a phone
        that happen to be the same string never collide, and tokens cannot be compared across
        kinds. 128 bits of the HMAC are plenty to make accidental collisions negligible."""
        key = self._key(kind)
        digest = hmac.new(key, normalised_value.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{kind}:{digest[:TOKEN_HEX_CHARS]}"

    def _key(self, kind: str) -> bytes:
        key = self._keys.get(kind)
        if key is None:
            if not _KIND.fullmatch(kind):
                raise ValueError(f"token kind {kind[:40]!r} must match {_KIND.pattern}")
            key = hmac.new(self._secret, _DOMAIN + kind.encode("ascii"), hashlib.sha256).digest()
            self._keys[kind] = key
        return key


def load_or_create_secret(path: Path) -> bytes:
    """The secret at ``path``, created (32 random bytes, hex, mode 0600) on first use.

    An existing file readable by group or others is refused rather than fixed: someone may
    already have copied it, and the owner should decide whether to rotate. A file that cannot be
    read back as a secret is refused too, because a new secret would silently change every token.
    """
    path = Path(path)
    try:
        return _create(path)
    except FileExistsError:
        return _read(path)


def _create(path: Path) -> bytes:
    """O_EXCL makes creation atomic: two loaders racing on first use end up with one secret."""
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(SECRET_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secret.hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return secret


def _read(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise ConfigError(
            f"cannot open pseudonymisation secret {path}: {exc.strerror}", code="E121"
        ) from exc
    with os.fdopen(fd, "r", encoding="ascii", errors="replace") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"pseudonymisation secret {path} is not a regular file", code="E121")
        if info.st_mode & 0o077:
            raise ConfigError(
                f"pseudonymisation secret {path} has mode {stat.S_IMODE(info.st_mode):04o}; "
                "it must not be accessible by group or others (chmod 600)",
                code="E122",
            )
        text = handle.read(4 * SECRET_BYTES + 16).strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"pseudonymisation secret {path} is not a hex secret of at least "
            f"{MIN_SECRET_BYTES} bytes",
            code="E123",
        )
    return secret
