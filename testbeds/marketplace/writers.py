"""Streaming writers for CSV, JSONL and Parquet with row counting and duplicate injection.

Rows go to disk as they are produced, so the large scale never holds a whole table. About 0.5 %
of raw rows are written a second time a little later (an exact duplicate, like a re-run export
step); truth files are written with no duplicates and no noise.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


class _Duplicates:
    """Schedules exact re-emission of a row 0-200 rows after it was first written."""

    def __init__(self, rnd: random.Random, rate: float) -> None:
        self._rnd, self._rate = rnd, rate
        self._heap: list[tuple[int, int, Any]] = []
        self._seq = 0

    def schedule(self, row: Any, written: int) -> None:
        if self._rate and self._rnd.random() < self._rate:
            self._seq += 1
            heapq.heappush(self._heap, (written + self._rnd.randint(0, 200), self._seq, row))

    def due(self, written: int) -> list[Any]:
        out = []
        while self._heap and self._heap[0][0] <= written:
            out.append(heapq.heappop(self._heap)[2])
        return out

    def rest(self) -> list[Any]:
        return [heapq.heappop(self._heap)[2] for _ in range(len(self._heap))]


class _Table:
    """Common machinery: count rows, replay scheduled duplicates, report the path."""

    def __init__(self, path: Path, rnd: random.Random, dup_rate: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.rows = 0
        self._dups = _Duplicates(rnd, dup_rate)

    def write(self, row: Any) -> None:
        """Write one row (and any duplicates that have come due)."""
        self._emit(row)
        self.rows += 1
        self._dups.schedule(row, self.rows)
        for dup in self._dups.due(self.rows):
            self._emit(dup)
            self.rows += 1

    def close(self) -> int:
        """Flush pending duplicates, close the file and return the number of rows written."""
        for dup in self._dups.rest():
            self._emit(dup)
            self.rows += 1
        self._close()
        return self.rows

    def _emit(self, row: Any) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError


class CsvTable(_Table):
    """CSV with a header row, ``\\n`` line endings and minimal quoting."""

    def __init__(
        self, path: Path, header: Sequence[str], rnd: random.Random, dup_rate: float = 0.0
    ) -> None:
        super().__init__(path, rnd, dup_rate)
        self._f = path.open("w", newline="", encoding="utf-8")
        self._w = csv.writer(self._f, lineterminator="\n")
        self._w.writerow(header)

    def _emit(self, row: Any) -> None:
        self._w.writerow(row)

    def _close(self) -> None:
        self._f.close()


class JsonlTable(_Table):
    """One compact JSON object per line, keys in insertion order, UTF-8 kept readable."""

    def __init__(self, path: Path, rnd: random.Random, dup_rate: float = 0.0) -> None:
        super().__init__(path, rnd, dup_rate)
        self._f = path.open("w", encoding="utf-8")

    def _emit(self, row: Any) -> None:
        self._f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")

    def _close(self) -> None:
        self._f.close()


class ParquetTable(_Table):
    """Parquet written in row groups of ``batch`` rows from tuples matching ``schema``."""

    def __init__(
        self,
        path: Path,
        schema: pa.Schema,
        rnd: random.Random,
        dup_rate: float = 0.0,
        batch: int = 200_000,
    ) -> None:
        super().__init__(path, rnd, dup_rate)
        self._schema, self._batch = schema, batch
        self._buf: list[tuple[Any, ...]] = []
        self._writer = pq.ParquetWriter(str(path), schema, compression="zstd")

    def _emit(self, row: Any) -> None:
        self._buf.append(row)
        if len(self._buf) >= self._batch:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            cols = list(zip(*self._buf, strict=True))
            arrays = [pa.array(c, type=f.type) for c, f in zip(cols, self._schema, strict=True)]
            self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
            self._buf = []

    def _close(self) -> None:
        self._flush()
        self._writer.close()


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Sink:
    """Creates the output tables under one directory and collects their row counts.

    Raw tables get duplicate injection; truth tables never do. Each table draws its duplicate
    decisions from a stream derived from (seed, relative path), so tables are independent.
    """

    def __init__(self, out_dir: Path, seed: int, dup_rate: float) -> None:
        self.out_dir = out_dir
        self._seed = seed
        self._dup_rate = dup_rate
        self.counts: dict[str, int] = {}
        self._open: dict[str, _Table] = {}

    def _rnd(self, rel: str) -> random.Random:
        digest = hashlib.blake2b(f"{self._seed}:dups:{rel}".encode(), digest_size=8).digest()
        return random.Random(int.from_bytes(digest, "big"))

    def _rate(self, rel: str) -> float:
        return self._dup_rate if rel.startswith("raw/") else 0.0

    def csv(self, rel: str, header: Sequence[str]) -> CsvTable:
        """Open a CSV table at ``out_dir/rel``."""
        t = CsvTable(self.out_dir / rel, header, self._rnd(rel), self._rate(rel))
        self._open[rel] = t
        return t

    def jsonl(self, rel: str) -> JsonlTable:
        """Open a JSON-lines table at ``out_dir/rel``."""
        t = JsonlTable(self.out_dir / rel, self._rnd(rel), self._rate(rel))
        self._open[rel] = t
        return t

    def parquet(self, rel: str, schema: pa.Schema) -> ParquetTable:
        """Open a Parquet table at ``out_dir/rel``."""
        t = ParquetTable(self.out_dir / rel, schema, self._rnd(rel), self._rate(rel))
        self._open[rel] = t
        return t

    def close_all(self) -> dict[str, int]:
        """Close every open table; returns relative path -> rows written, sorted by path."""
        for rel in sorted(self._open):
            self.counts[rel] = self._open[rel].close()
        self._open.clear()
        return dict(sorted(self.counts.items()))
