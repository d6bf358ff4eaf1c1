"""Raw exports → graph records: read, clean, pseudonymise (mapping), then enrich.

Enrichment steps (entity resolution, text extraction) are passed in as plain callables so this
module stays the one place that defines the order of stages and keeps their timings, and a
user's own data can run with or without them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from cartograph.errors import TooManyRejectsError
from extraction.columnar import extract_columnar
from extraction.mapping import Mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.redact import Redactor
from extraction.rejects import ReadCounts, RejectsWriter
from extraction.transform import Extracted, extract, merge_duplicates
from graph.records import NodeRecord, RelRecord

# An enrichment step sees everything extracted so far and returns extra records plus a summary.
Enricher = Callable[[Extracted], tuple[list[NodeRecord], list[RelRecord], dict[str, Any]]]


@dataclass
class IngestResult:
    nodes: list[NodeRecord]
    rels: list[RelRecord]
    counts: dict[str, ReadCounts]
    field_issues: int
    rejects_path: Path
    enrichment: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def totals(self) -> ReadCounts:
        return sum(self.counts.values(), ReadCounts())


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


def ingest(
    mapping: Mapping,
    pseudonymiser: Pseudonymiser,
    rejects_path: Path,
    enrichers: dict[str, Enricher] | None = None,
    max_reject_share: float = 1.0,
    columnar: bool = True,
) -> IngestResult:
    """Run the mapping, then each enricher in order; returns deduplicated records and counts.
    A run that rejects more than ``max_reject_share`` of what it read stops here, after its
    rejects file is complete and before anything is enriched or loaded. ``columnar`` (the
    default) reads in chunks and cleans each distinct value once (``extraction.columnar``);
    False runs the per-record reference path, which gives the same result, more slowly."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with RejectsWriter(rejects_path, Redactor.from_mapping(mapping, pseudonymiser)) as rejects:
        run = extract_columnar if columnar else extract
        extracted = run(mapping, pseudonymiser, rejects)
    timings["read_clean_pseudonymise_s"] = round(time.perf_counter() - t0, 3)
    check_reject_share(extracted.counts, max_reject_share, rejects_path)
    enrichment: dict[str, dict[str, Any]] = {}
    for name, enrich in (enrichers or {}).items():
        t0 = time.perf_counter()
        nodes, rels, summary = enrich(extracted)
        extracted.nodes.extend(nodes)
        extracted.rels.extend(rels)
        enrichment[name] = summary
        timings[f"{name}_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    nodes, rels = merge_duplicates(extracted.nodes), merge_duplicate_rels(extracted.rels)
    timings["dedupe_s"] = round(time.perf_counter() - t0, 3)
    return IngestResult(
        nodes=nodes,
        rels=rels,
        counts=extracted.counts,
        field_issues=extracted.field_issues,
        rejects_path=rejects_path,
        enrichment=enrichment,
        timings=timings,
    )
