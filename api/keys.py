"""API keys: random tokens shown once, stored only as salted SHA-256 digests.

A token carries 256 random bits, so a fast salted hash is enough (slow hashes such as scrypt guard
low-entropy passwords, and would add tens of milliseconds to every request). The key id is part of
the token, so verification is one lookup and one constant-time comparison. The file is rewritten
atomically with mode 0600 and re-read when it changes, so ``cartograph apikey revoke`` takes
effect on a running server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cartograph.errors import ConfigError

# Permissions, one per kind of act; each endpoint requires exactly one (``api.deps.require``,
# the table in docs/api.md). Roles follow least privilege: no role includes another.
READ_RECOMMENDATIONS = "recommendations:read"
SCORE_LINKS = "links:score"
READ_RISK = "risk:read"
SCORE_ORDERS = "orders:score"
CREATE_ORDERS = "orders:create"
RUN_QUERIES = "queries:run"
RELOAD_MODELS = "models:reload"

ROLES: dict[str, frozenset[str]] = {
    # The shop's backend: reads what it shows, scores checkouts and stores the orders.
    "service": frozenset(
        {READ_RECOMMENDATIONS, SCORE_LINKS, READ_RISK, SCORE_ORDERS, CREATE_ORDERS}
    ),
    # People investigating: every read, the named queries; never raw checkouts, never writes.
    "analyst": frozenset({READ_RECOMMENDATIONS, SCORE_LINKS, READ_RISK, RUN_QUERIES}),
    # Operators: what changes the running service; no data reads (a second key for those).
    "admin": frozenset({RELOAD_MODELS}),
}
PREFIX = "cgk"


@dataclass(frozen=True)
class ApiKey:
    """One key as stored: never the token itself."""

    id: str
    role: str
    name: str
    salt: str
    sha256: str
    created_at: str
    revoked: bool = False


def _digest(salt: str, token: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + token.encode()).hexdigest()


class KeyStore:
    """The keys file (JSON); reloads itself when the file's mtime changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime: float | None = None
        self._keys: dict[str, ApiKey] = {}

    def records(self) -> list[ApiKey]:
        self._refresh()
        return sorted(self._keys.values(), key=lambda k: (k.created_at, k.id))

    def create(self, role: str, name: str = "") -> tuple[ApiKey, str]:
        """A new key of ``role``; returns the stored record and the token (shown only now)."""
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r}; one of {sorted(ROLES)}", code="E620")
        key_id = secrets.token_hex(6)
        token = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        salt = secrets.token_hex(16)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        record = ApiKey(key_id, role, name, salt, _digest(salt, token), created)
        self._refresh()
        self._keys[key_id] = record
        self._save()
        return record, token

    def revoke(self, key_id: str) -> bool:
        """Mark a key revoked (kept for the audit trail); False when no such active key."""
        self._refresh()
        key = self._keys.get(key_id)
        if key is None or key.revoked:
            return False
        self._keys[key_id] = ApiKey(**{**asdict(key), "revoked": True})
        self._save()
        return True

    def verify(self, token: str) -> ApiKey | None:
        """The active key this token belongs to, else None (unknown, revoked or wrong secret)."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != PREFIX:
            return None
        self._refresh()
        key = self._keys.get(parts[1])
        if key is None or key.revoked:
            return None
        return key if hmac.compare_digest(key.sha256, _digest(key.salt, token)) else None

    def _refresh(self) -> None:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            self._keys, self._mtime = {}, None
            return
        if mtime == self._mtime:
            return
        try:
            data = json.loads(self.path.read_text())
            self._keys = {k["id"]: ApiKey(**k) for k in data["keys"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"API keys file {self.path} is malformed: {exc}", code="E621"
            ) from exc
        self._mtime = mtime

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"keys": [asdict(k) for k in self._keys.values()]}, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-")
        with os.fdopen(fd, "w") as fh:
            fh.write(payload + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        self._mtime = None  # re-read on next use, so mtime granularity never hides a change
