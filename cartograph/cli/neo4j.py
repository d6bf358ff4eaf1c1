"""``cartograph neo4j start|stop|status|logs``: the managed local server."""

from __future__ import annotations

import typer

from cartograph.cli._base import emit, handles_errors
from cartograph.settings import Settings

app = typer.Typer(help="The managed local Neo4j server.", no_args_is_help=True)


@app.command("start")
@handles_errors
def start() -> None:
    """Install (first time) and start the local Neo4j; waits until Bolt answers."""
    from cartograph.runtime import resolve_target, server_config

    settings = Settings()
    target = resolve_target(settings, start=True)
    emit([f"Neo4j ready at {target.uri}; Browser {server_config(settings).browser_url}"])


@app.command("stop")
@handles_errors
def stop() -> None:
    """Stop the local Neo4j cleanly (SIGTERM, then SIGKILL after 60 s)."""
    from cartograph.runtime import server_config
    from graph.server import stop as stop_server

    emit(["stopped" if stop_server(server_config(Settings())) else "not running"])


@app.command("status")
@handles_errors
def status() -> None:
    """Exit 0 only when Bolt answers with the configured credentials."""
    from cartograph.runtime import resolve_target
    from graph.server import bolt_ready

    target = resolve_target(Settings(), start=False)
    up = bolt_ready(target.uri, target.user, target.password)
    emit([f"{'up' if up else 'down'}: {target.uri}"])
    if not up:
        raise typer.Exit(1)


@app.command("logs")
@handles_errors
def logs(lines: int = typer.Option(50, help="Lines from the end of each log.")) -> None:
    """Print the end of the server's console and debug logs."""
    from cartograph.runtime import server_config
    from graph.server import tail_logs

    emit([tail_logs(server_config(Settings()), lines)])
