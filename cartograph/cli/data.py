"""``cartograph generate | ingest | evaluate extraction``: data in, graph out."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cartograph.cli._base import emit, handles_errors
from cartograph.settings import Settings


class WriteModeOpt(StrEnum):
    """``--write-mode``: how the records reach Neo4j (graph.bulk, graph.writer)."""

    auto = "auto"
    bulk = "bulk"
    incremental = "incremental"


DataOpt = Annotated[
    Path | None,
    typer.Option(
        help="Folder the mapping's paths are relative to (default: built-in marketplace data)."
    ),
]


class Scale(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


class FraudKind(StrEnum):
    plain = "plain"
    camouflaged = "camouflaged"


@handles_errors
def generate(
    out: Annotated[Path, typer.Option(help="Output folder (raw/, truth/, manifest.json).")],
    scale: Annotated[str, typer.Option(help="small | medium | large (>= 1M orders).")] = "small",
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 7,
    fraud: Annotated[
        FraudKind, typer.Option(help="plain | camouflaged (crews hiding among customers).")
    ] = FraudKind.plain,
) -> None:
    """Write the built-in marketplace's raw exports and its separate ground truth."""
    from testbeds.marketplace import generate as generate_marketplace

    summary = generate_marketplace(scale, seed, out, fraud.value)
    rows = sum(summary.record_counts.values())
    emit([f"wrote {rows:,} rows to {out} in {summary.elapsed_s:.1f} s"])


@handles_errors
def ingest(
    data: DataOpt = None,
    mapping: Annotated[Path | None, typer.Option(help="Mapping file (default: built-in).")] = None,
    write_mode: Annotated[
        WriteModeOpt | None,
        typer.Option(
            help="bulk: neo4j-admin import into the empty managed database (server restarted); "
            "incremental: batched MERGE, any Neo4j; auto (default setting): bulk when it can."
        ),
    ] = None,
) -> None:
    """Read → clean → pseudonymise → load one folder of exports into Neo4j, with a report."""
    from cartograph.jobs import ingest_job

    mode = write_mode.value if write_mode is not None else None
    emit(ingest_job(Settings(), data, mapping, mode).lines)


@handles_errors
def evaluate_extraction(data: DataOpt = None) -> None:
    """Precision/recall/F1 of entity resolution and text extraction, read from the graph."""
    from cartograph.jobs import evaluate_extraction_job

    emit(evaluate_extraction_job(Settings(), data).lines)
