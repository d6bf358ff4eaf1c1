"""The ``cartograph`` command. Each command parses arguments and calls one plain function;
expected failures print a coded message and exit 1, without a traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from cartograph.errors import CartographError
from cartograph.settings import Settings

app = typer.Typer(
    help="Cartograph: e-commerce knowledge graph + GNN link scoring.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
neo4j_app = typer.Typer(help="The managed local Neo4j server.", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
console = Console()
F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CartographError as exc:
            console.print(f"[red]error[/red] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@neo4j_app.command("start")
@handles_errors
def neo4j_start() -> None:
    """Install (first time) and start the local Neo4j; waits until Bolt answers."""
    from cartograph.runtime import resolve_target, server_config

    settings = Settings()
    target = resolve_target(settings, start=True)
    console.print(f"Neo4j ready at {target.uri}; Browser {server_config(settings).browser_url}")


@neo4j_app.command("stop")
@handles_errors
def neo4j_stop() -> None:
    """Stop the local Neo4j cleanly (SIGTERM, then SIGKILL after 60 s)."""
    from cartograph.runtime import server_config
    from graph.server import stop

    console.print("stopped" if stop(server_config(Settings())) else "not running")


@neo4j_app.command("status")
@handles_errors
def neo4j_status() -> None:
    """Exit 0 only when Bolt answers with the configured credentials."""
    from cartograph.runtime import resolve_target
    from graph.server import bolt_ready

    target = resolve_target(Settings(), start=False)
    if bolt_ready(target.uri, target.user, target.password):
        console.print(f"up: {target.uri}")
        return
    console.print(f"down: {target.uri}")
    raise typer.Exit(1)


@neo4j_app.command("logs")
@handles_errors
def neo4j_logs(lines: int = typer.Option(50, help="Lines from the end of each log.")) -> None:
    """Print the end of the server's console and debug logs."""
    from cartograph.runtime import server_config
    from graph.server import tail_logs

    sys.stdout.write(tail_logs(server_config(Settings()), lines) + "\n")


@app.command()
@handles_errors
def demo() -> None:
    """The main job on the built-in data: start Neo4j, load, report, print where to look."""
    from cartograph.pipeline import FIRST_QUERY, run_demo
    from cartograph.runtime import resolve_target, server_config

    settings = Settings()
    target = resolve_target(settings, start=True)
    cfg = server_config(settings)
    browser = cfg.browser_url if target.managed else None
    result = run_demo(target, settings.runs_dir, settings.seed, browser, settings.batch_size)
    console.print(f"\n[bold]Cartograph demo done[/bold] in {result.timings['load_s']} s of loading")
    console.print(f"  nodes: {result.report['counts']['nodes']}")
    console.print(f"  report: {result.run_dir / 'report.md'} (also runs/latest/report.json)")
    if target.managed:
        console.print(
            f"  Neo4j Browser: {browser}  (connect to {target.uri}, user neo4j,"
            f" password in {cfg.password_file})"
        )
    console.print(f"  first query:\n    {FIRST_QUERY}", highlight=False)


if __name__ == "__main__":
    app()
