"""``cartograph demo | movielens``: the end-to-end runs."""

from __future__ import annotations

from typing import Annotated

import typer

from cartograph.cli._base import emit, handles_errors
from cartograph.cli.data import FraudKind, Scale
from cartograph.settings import Settings


@handles_errors
def demo(
    fraud: Annotated[
        FraudKind | None,
        typer.Option(help="Built-in fraud: plain | camouflaged (default: CARTOGRAPH_FRAUD)."),
    ] = None,
    scale: Annotated[
        Scale | None,
        typer.Option(
            help="Built-in data size: small | medium | large (default: CARTOGRAPH_SCALE)."
        ),
    ] = None,
) -> None:
    """The main job on the built-in data: Neo4j, generate, ingest, train, score, report."""
    from cartograph.jobs import demo_job

    settings = Settings()
    if fraud is not None:
        settings.fraud = fraud.value
    if scale is not None:
        settings.scale = scale.value
    emit(demo_job(settings))


@handles_errors
def movielens(
    max_ratings: Annotated[
        int | None, typer.Option(help="Load only the first N ratings (quick look).")
    ] = None,
) -> None:
    """MovieLens-100k from the RecBole wheel → mapping file → Neo4j → every recommender."""
    from cartograph.jobs import movielens_job

    emit(movielens_job(Settings(), max_ratings))
