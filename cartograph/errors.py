"""One root exception with coded messages, so the CLI and HTTP layer can map every expected
failure to a clear message (and an exit code or status) without a traceback."""

from __future__ import annotations


class CartographError(Exception):
    """Root of every expected Cartograph failure. ``code`` is stable and greppable (``E101``)."""

    code = "E000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        super().__init__(message)

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"


class ConfigError(CartographError):
    """Settings or a user-supplied file (mapping, task spec) is invalid."""

    code = "E100"


class Neo4jServerError(CartographError):
    """The managed local Neo4j could not be installed, started, stopped or reached."""

    code = "E200"


class GraphWriteError(CartographError):
    """A batch could not be written to Neo4j after retries."""

    code = "E300"


class SchemaError(CartographError):
    """A label, relationship type or property name is not a safe identifier, or is unknown."""

    code = "E310"


class InputRecordError(CartographError):
    """A single input record is invalid; carries the record and field so it can go to rejects."""

    code = "E400"

    def __init__(self, message: str, *, source: str, record_id: str, field: str) -> None:
        super().__init__(f"{source} record {record_id!r}, field {field!r}: {message}")
        self.source = source
        self.record_id = record_id
        self.field = field
        self.reason = message


class InvalidInputError(CartographError):
    """A caller's value does not fit: text Neo4j cannot take, an unreadable card number, a
    parameter over its limit. Raised below the HTTP layer too, so it lives here, not in ``api``."""

    code = "E600"


class GraphUnavailableError(CartographError):
    """Neo4j cannot be reached for a read (no server, or its database is shutting down or
    still recovering): the same outage for every caller, so one class."""

    code = "E606"


class QueryTimeoutError(CartographError):
    """A read ran past its time budget and Neo4j stopped it."""

    code = "E607"
