"""Raw exports → graph records: read, clean, pseudonymise (mapping), then enrich.

Enrichment steps (entity resolution, text extraction) are passed in as plain callables so this
module stays the one place that defines the order of stages and keeps their timings, and a
user's own data can run with or without them.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from cartograph.errors import CartographError, TooManyRejectsError
from extraction.columnar import extract_columnar
from extraction.mapping import Mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.redact import Redactor
from extraction.rejects import ReadCounts, RejectsWriter
from extraction.transform import Extracted, extract, merge_duplicates
from graph.records import NodeRecord, RelRecord

# An enrichment step sees everything extracted so far and returns extra records plus a summary.
# One whose ``needs_records`` attribute is False reads its own inputs (text extraction reads the
# raw texts): on large inputs it runs in a process of its own beside the cleaning.
Enricher = Callable[[Extracted], tuple[list[NodeRecord], list[RelRecord], dict[str, Any]]]
# What an enricher run beside the cleaning hands back: its records, summary and own seconds.
RanAlone = tuple[list[NodeRecord], list[RelRecord], dict[str, Any], float]

# Raw input from which an enricher that needs no records runs beside the cleaning: the child
# process pays ~10 s to start (imports, models) on this machine, which the cleaning hides only
# when it lasts longer (medium, 60 MB: 40 s of cleaning; small, 6 MB: 4 s).
BESIDE_MIN_BYTES = 32 * 2**20
POLL_S = 1.0  # how often a wait for a result beside the cleaning checks its process is alive


@dataclass
class IngestResult:
    nodes: list[NodeRecord]
    rels: list[RelRecord]
    counts: dict[str, ReadCounts]
    field_issues: int
    rejects_path: Path
    enrichment: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # False: ``nodes`` and ``rels`` may name a key more than once (``dedupe_records`` folds
    # them; the bulk import's planner folds them itself, so the bulk path skips this pass)
    deduplicated: bool = True

    @property
    def totals(self) -> ReadCounts:
        return sum(self.counts.values(), ReadCounts())


def dedupe_records(
    nodes: list[NodeRecord], rels: list[RelRecord]
) -> tuple[list[NodeRecord], list[RelRecord]]:
    """One record per node key and per relationship, later properties winning: what the
    writer's MERGE + SET makes of repeats, done once in memory instead of per batch."""
    return merge_duplicates(nodes), merge_duplicate_rels(rels)


def merge_duplicate_rels(rels: list[RelRecord]) -> list[RelRecord]:
    """One record per (start, type, end), later properties winning: the writer MERGEs one
    relationship per pair anyway, so repeats (a user's device on every order) are wasted work.
    A relationship seen once is kept as it is (no copy): at the large scale that is most of
    them, and copying each would double the memory the records take at this step."""
    merged: dict[tuple[str, str, str, str, str], RelRecord] = {}
    copied: set[tuple[str, str, str, str, str]] = set()
    for rel in rels:
        ident = (rel.start_label, rel.start_key, rel.type, rel.end_label, rel.end_key)
        first = merged.get(ident)
        if first is None:
            merged[ident] = rel
            continue
        if ident not in copied:  # never change a record the caller still holds
            first = RelRecord(
                first.type, first.start_label, first.start_key, first.end_label, first.end_key,
                dict(first.props),
            )  # fmt: skip
            merged[ident] = first
            copied.add(ident)
        cast(dict[str, Any], first.props).update(rel.props)
    return list(merged.values())


def check_reject_share(counts: dict[str, ReadCounts], max_share: float, rejects_path: Path) -> None:
    """Raise when the rejected share of all records read passes ``max_share``: a run that
    rejects most of its input is almost always a wrong mapping, not bad data."""
    total = sum(counts.values(), ReadCounts())
    if total.read and total.rejected / total.read > max_share:
        worst = max(counts.items(), key=lambda kv: kv[1].rejected)
        raise TooManyRejectsError(
            f"{total.rejected:,} of {total.read:,} records rejected "
            f"({total.rejected / total.read:.0%}, over the {max_share:.0%} threshold; most in "
            f"source {worst[0]}: {worst[1].rejected:,}); nothing was loaded; reasons in "
            f"{rejects_path}",
        )


def beside_cleaning(
    enrichers: dict[str, Enricher], mapping: Mapping, choice: bool | None = None
) -> dict[str, Enricher]:
    """The enrichers that will run beside the cleaning (see ``ingest``)."""
    alone = {n: e for n, e in enrichers.items() if getattr(e, "needs_records", True) is False}
    if choice is None:
        size = sum(s.path.stat().st_size for s in mapping.sources.values() if s.path.exists())
        choice = size >= BESIDE_MIN_BYTES and len(os.sched_getaffinity(0)) > 1
    return alone if choice else {}


def _run_alone(enrich: Enricher) -> RanAlone:
    t0 = time.perf_counter()
    nodes, rels, summary = enrich(cast(Extracted, None))
    return nodes, rels, summary, round(time.perf_counter() - t0, 3)


class Beside:
    """One spawned worker process running the given enrichers, in order, while the caller
    cleans; leaving the block (a finished run, too many rejects, an error) ends the worker."""

    def __init__(self, enrichers: dict[str, Enricher]) -> None:
        self.enrichers = enrichers
        self.pool: Any = None
        self.workers: list[Any] = []
        self.pending: dict[str, Any] = {}

    def __enter__(self) -> Beside:
        if self.enrichers:  # spawn: a fork would copy the parent's threads and locks
            self.pool = multiprocessing.get_context("spawn").Pool(1)
            self.workers = list(self.pool._pool)  # its one process, to notice if it dies
            self.pending = {
                name: self.pool.apply_async(_run_alone, (enrich,))
                for name, enrich in self.enrichers.items()
            }
        return self

    def result(self, name: str) -> RanAlone:
        """The enricher's records, summary and own seconds; its exception if it raised one.
        A worker that dies (the OOM killer, a signal) would leave ``get`` waiting forever:
        the pool only starts another, so a dead worker is an error here (``E420``)."""
        pending = self.pending[name]
        while not pending.ready():
            pending.wait(POLL_S)
            dead = [w.exitcode for w in self.workers if w.exitcode not in (None, 0)]
            if dead and not pending.ready():
                raise CartographError(
                    f"{name}, running beside the cleaning, lost its process (exit code "
                    f"{dead[0]}: killed or out of memory); nothing was loaded",
                    code="E420",
                )
        return cast(RanAlone, pending.get())

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self.pool is None:
            return
        died = any(w.exitcode not in (None, 0) for w in self.workers)
        if kind is None and not died:  # every result taken: the worker exits cleanly
            self.pool.close()
        else:  # stopped early, or a task was lost with its process (close would wait for it)
            self.pool.terminate()
        self.pool.join()


def ingest(
    mapping: Mapping,
    pseudonymiser: Pseudonymiser,
    rejects_path: Path,
    enrichers: dict[str, Enricher] | None = None,
    max_reject_share: float = 1.0,
    columnar: bool = True,
    beside_cleaning_default: bool | None = None,
    dedupe: bool = True,
) -> IngestResult:
    """Run the mapping, then each enricher in order; returns the records (deduplicated unless
    ``dedupe`` is False) and counts.
    A run that rejects more than ``max_reject_share`` of what it read stops here, after its
    rejects file is complete and before anything is enriched or loaded. ``columnar`` (the
    default) reads in chunks and cleans each distinct value once (``extraction.columnar``);
    False runs the per-record reference path, which gives the same result, more slowly.
    ``beside_cleaning_default``: run the enrichers that need no records in a process of their
    own while the rows are cleaned (True), never (False), or when the input is large enough to
    repay the process's start (None: ``BESIDE_MIN_BYTES`` of sources and more than one core).
    Either way they give the same records (tests/integration/test_ingest_beside.py).
    ``dedupe=False`` returns the records as extracted, repeats included (``deduplicated`` is
    False): for the bulk import, whose planner merges by key anyway (one pass over ~21.7M
    raw records fewer at ``large``)."""
    timings: dict[str, float] = {}
    enrichers = enrichers or {}
    beside = beside_cleaning(enrichers, mapping, beside_cleaning_default)
    with Beside(beside) as pending:
        t0 = time.perf_counter()
        with RejectsWriter(rejects_path, Redactor.from_mapping(mapping, pseudonymiser)) as rj:
            run = extract_columnar if columnar else extract
            extracted = run(mapping, pseudonymiser, rj)
        timings["read_clean_pseudonymise_s"] = round(time.perf_counter() - t0, 3)
        check_reject_share(extracted.counts, max_reject_share, rejects_path)
        enrichment: dict[str, dict[str, Any]] = {}
        for name, enrich in enrichers.items():  # in the given order, wherever each ran
            t0 = time.perf_counter()
            if name in beside:
                nodes, rels, summary, own_s = pending.result(name)
                timings[f"{name}_wait_s"] = round(time.perf_counter() - t0, 3)
                timings[f"{name}_s"] = own_s
                summary = {**summary, "ran": "beside cleaning (own process)"}
            else:
                nodes, rels, summary = enrich(extracted)
                timings[f"{name}_s"] = round(time.perf_counter() - t0, 3)
            extracted.nodes.extend(nodes)
            extracted.rels.extend(rels)
            enrichment[name] = summary
    nodes, rels = extracted.nodes, extracted.rels
    if dedupe:
        t0 = time.perf_counter()
        nodes, rels = dedupe_records(nodes, rels)
        timings["dedupe_s"] = round(time.perf_counter() - t0, 3)
    return IngestResult(
        nodes=nodes,
        rels=rels,
        deduplicated=dedupe,
        counts=extracted.counts,
        field_issues=extracted.field_issues,
        rejects_path=rejects_path,
        enrichment=enrichment,
        timings=timings,
    )
