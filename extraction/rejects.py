"""Rejected input records and per-source counts, so every record read is accounted for.

A load that drops bad rows silently cannot be trusted; one that fails on the first bad row never
finishes on real exports. Rows that fail go to a CSV a person can open, naming the source, record
and field, and ``ReadCounts.reconciles`` proves that read = loaded + rejected + duplicates.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from types import TracebackType
from typing import TextIO

from cartograph.errors import InputRecordError
from cartograph.private import create_private, private_dir
from extraction.redact import Redactor, scrub

RAW_LIMIT = 500
_ELLIPSIS = "…"
COLUMNS = ("source", "record_id", "field", "reason", "raw")
# C0/C1 controls except tab, newline and carriage return (which CSV quoting carries safely):
# escape sequences in a rejects file would otherwise act on the terminal of whoever cats it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def excerpt(raw: object, limit: int = RAW_LIMIT) -> str:
    """The raw record as text of at most ``limit`` characters, marked "…" when cut."""
    text = _escape(raw if isinstance(raw, str) else repr(raw))
    return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS


def _escape(value: object) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


@dataclass(frozen=True, slots=True)
class Reject:
    """One record that could not be loaded, and why."""

    source: str
    record_id: str
    field: str
    reason: str
    raw: str = ""

    def __post_init__(self) -> None:
        # Escaping here rather than at write time keeps the object equal to its CSV row.
        for name in ("source", "record_id", "field", "reason"):
            object.__setattr__(self, name, _escape(getattr(self, name)))
        object.__setattr__(self, "raw", excerpt(self.raw))

    @classmethod
    def from_error(cls, error: InputRecordError, raw: object = "") -> Reject:
        return cls(error.source, error.record_id, error.field, error.reason, excerpt(raw))


_DROPPED = "value dropped"


def redacted(reject: Reject, redactor: Redactor) -> Reject:
    """``reject`` as it may be written: personal values replaced (``extraction.redact``).

    A dropped optional value's row carries just that value, so it is judged by its field; any
    other row carries the whole record (JSON or a raw line), judged column by column."""
    reason = reject.reason
    if reason.startswith(_DROPPED):
        raw = redactor.field_value(reject.field, reject.raw)
        if raw != reject.raw and reject.raw:  # cleaners quote the bad value in their reason
            reason = reason.replace(reject.raw, "[value]")
    else:
        raw = redactor.in_record(reject.raw)
    return Reject(
        scrub(reject.source), scrub(reject.record_id), reject.field, scrub(reason), scrub(raw)
    )


class RejectsWriter:
    """Appends rejects to a CSV (header written once, when the file is new or empty).

    Append mode lets several sources of one run share a file; each row is flushed so a crash
    loses at most the row being written. Every row goes through ``redacted`` first (without a
    redactor from the mapping, by shape only), and the file is created 0600: no raw personal
    value is written, and what is written is the owner's alone.
    """

    def __init__(self, path: Path, redactor: Redactor | None = None) -> None:
        self.path = Path(path)
        self.redactor = redactor or Redactor()
        self._handle: TextIO | None = None
        self._writer: csv.DictWriter[str] | None = None
        self._count = 0

    @property
    def count(self) -> int:
        """Rows written through this writer (not rows already in the file)."""
        return self._count

    def __enter__(self) -> RejectsWriter:
        if not self.path.parent.exists():
            private_dir(self.path.parent)
        fd = create_private(self.path, append=True)
        # backslashreplace: a lone surrogate from a badly decoded export must not abort the load.
        handle = open(fd, "a", newline="", encoding="utf-8", errors="backslashreplace")
        self._handle = handle
        self._writer = csv.DictWriter(handle, fieldnames=COLUMNS, quoting=csv.QUOTE_MINIMAL)
        if handle.tell() == 0:
            self._writer.writeheader()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle = self._writer = None

    def write(self, reject: Reject) -> None:
        if self._writer is None or self._handle is None:
            raise RuntimeError("RejectsWriter must be used as a context manager")
        reject = redacted(reject, self.redactor)
        self._writer.writerow({name: getattr(reject, name) for name in COLUMNS})
        self._handle.flush()
        self._count += 1

    def write_error(self, error: InputRecordError, raw: object = "") -> None:
        """Shortcut for the usual case: a normaliser's failure wrapped by the source reader."""
        self.write(Reject.from_error(error, raw))


def read_rejects(path: Path) -> list[Reject]:
    """Rows of a rejects file, for reports and tests."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return [Reject(**{name: row[name] for name in COLUMNS}) for row in csv.DictReader(handle)]


@dataclass(slots=True)
class ReadCounts:
    """Per-source tallies; every record read must end up in exactly one of the other three."""

    read: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0

    def reconciles(self) -> bool:
        return self.read == self.loaded + self.rejected + self.duplicates

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __add__(self, other: ReadCounts) -> ReadCounts:
        """Totals across sources: ``sum(counts, ReadCounts())``."""
        return ReadCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))
