"""``cartograph serve`` and ``cartograph apikey create|list|revoke``: the HTTP service."""

from __future__ import annotations

from typing import Annotated

import typer

from cartograph.cli._base import console, emit, handles_errors
from cartograph.errors import ConfigError
from cartograph.settings import Settings

apikey_app = typer.Typer(
    help="API keys for the HTTP service (hashed at rest).", no_args_is_help=True
)


@handles_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default: loopback).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: CARTOGRAPH_API_PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes, each with its own models and one torch thread "
            "(default: CARTOGRAPH_API_WORKERS, else one per core).",
        ),
    ] = None,
) -> None:
    """Run the HTTP API on the graph (Neo4j started if managed); docs at /docs."""
    from cartograph.serving import serve as run_server

    run_server(Settings(), host, port, announce=lambda line: emit([line]), workers=workers)


@apikey_app.command("create")
@handles_errors
def apikey_create(
    role: Annotated[
        str,
        typer.Option(
            help="service (scores, creates orders), analyst (reads, queries), admin (reloads)."
        ),
    ],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
    quiet: Annotated[bool, typer.Option(help="Print only the token (for scripts).")] = False,
) -> None:
    """Create a key; the token is printed once and only its salted hash is stored."""
    from api.keys import KeyStore

    key, token = KeyStore(Settings().api.keys_file).create(role, name)
    if not quiet:
        console.print(f"key {key.id} ({key.role}) created; the token is shown only now:")
    emit([token])


@apikey_app.command("list")
@handles_errors
def apikey_list() -> None:
    """List keys (id, role, name, created, revoked); never the tokens."""
    from api.keys import KeyStore

    emit(
        f"{k.id}\t{k.role}\t{'revoked' if k.revoked else 'active'}\t{k.created_at}\t{k.name}"
        for k in KeyStore(Settings().api.keys_file).records()
    )


@apikey_app.command("revoke")
@handles_errors
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id from `apikey list`.")],
) -> None:
    """Revoke a key; a running server refuses it from its next request."""
    from api.keys import KeyStore

    if not KeyStore(Settings().api.keys_file).revoke(key_id):
        raise ConfigError(f"no active key {key_id!r}", code="E622")
    emit([f"revoked {key_id}"])
