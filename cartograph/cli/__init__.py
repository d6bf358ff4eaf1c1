"""The ``cartograph`` command, one module per command group (spaCy's shape): each command
parses its options and calls one plain function of ``cartograph.jobs`` / ``cartograph.pipeline``
/ ``cartograph.serving``; expected failures print a coded message and exit 1."""

from __future__ import annotations

import typer

from cartograph.cli import data, neo4j, runs, serve, tasks

app = typer.Typer(
    help="Cartograph: e-commerce knowledge graph + GNN link scoring.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
evaluate_app = typer.Typer(
    help="Score what is in the graph against ground truth.", no_args_is_help=True
)

app.add_typer(neo4j.app, name="neo4j")
app.command()(data.generate)
app.command()(data.ingest)
app.command()(tasks.train)
app.command()(tasks.score)
app.command()(runs.demo)
app.command()(runs.movielens)
app.command()(serve.serve)
app.add_typer(serve.apikey_app, name="apikey")
app.add_typer(evaluate_app, name="evaluate")
evaluate_app.command("extraction")(data.evaluate_extraction)
evaluate_app.command("model")(tasks.evaluate_model)

__all__ = ["app"]
