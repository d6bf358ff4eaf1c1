"""``cartograph train | evaluate model | score``: learning tasks on the graph."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cartograph.cli._base import SeedOpt, SeedsOpt, TaskOpt, emit, handles_errors
from cartograph.settings import Settings


@handles_errors
def train(task: TaskOpt = "recommend", seed: SeedOpt = None, seeds: SeedsOpt = None) -> None:
    """Train every model of a task side by side; save the one chosen on valid as `latest`."""
    from cartograph.jobs import train_job

    emit(train_job(Settings(), task, seed, seeds).lines)


@handles_errors
def evaluate_model(
    task: TaskOpt = "recommend", seed: SeedOpt = None, seeds: SeedsOpt = None
) -> None:
    """Every model of a task on its split, side by side, with plots; saves no model."""
    from cartograph.jobs import evaluate_model_job

    emit(evaluate_model_job(Settings(), task, seed, seeds).lines)


@handles_errors
def score(
    task: TaskOpt = "recommend",
    model: Annotated[
        Path | None, typer.Option(help="A model directory (default: the task's latest).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(help="Also write CSV: source_key,target_key,score,rank or key,score."),
    ] = None,
    top_k: Annotated[int | None, typer.Option(help="Links kept per source node.")] = None,
    write_back: Annotated[bool, typer.Option(help="Write the scores into Neo4j.")] = True,
) -> None:
    """Score with a trained model; replace the previous model's scores in Neo4j."""
    from cartograph.jobs import score_job

    emit(score_job(Settings(), task, model, output, top_k, write_back).lines)
