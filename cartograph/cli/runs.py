"""``cartograph demo | movielens``: the end-to-end runs."""

from __future__ import annotations

from typing import Annotated

import typer

from cartograph.cli._base import emit, handles_errors
from cartograph.settings import Settings


@handles_errors
def demo() -> None:
    """The main job on the built-in data: Neo4j, generate, ingest, train, score, report."""
    from cartograph.jobs import demo_job

    emit(demo_job(Settings()))


@handles_errors
def movielens(
    max_ratings: Annotated[
        int | None, typer.Option(help="Load only the first N ratings (quick look).")
    ] = None,
) -> None:
    """MovieLens-100k from the RecBole wheel → mapping file → Neo4j → every recommender."""
    from cartograph.jobs import movielens_job

    emit(movielens_job(Settings(), max_ratings))
