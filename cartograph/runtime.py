"""Settings → a reachable Neo4j. The one place that decides "managed local server or the user's"."""

from __future__ import annotations

from cartograph.errors import ConfigError
from cartograph.settings import Settings
from extraction.pseudonymise import Pseudonymiser, load_or_create_secret
from graph.connection import Neo4jTarget
from graph.server import ServerConfig
from graph.server import start as start_server


def server_config(settings: Settings) -> ServerConfig:
    return ServerConfig(
        home=settings.neo4j.home,
        version=settings.neo4j.version,
        browser_version=settings.neo4j.browser_version,
        bolt_port=settings.neo4j.bolt_port,
        http_port=settings.neo4j.http_port,
        heap=settings.neo4j.heap,
        pagecache=settings.neo4j.pagecache,
        start_timeout_s=settings.neo4j.start_timeout_s,
    )


def resolve_target(settings: Settings, start: bool = True) -> Neo4jTarget:
    """The user's Neo4j if ``CARTOGRAPH_NEO4J_URI`` is set, else the managed one (started)."""
    if not settings.managed:
        if settings.neo4j.password is None:
            raise ConfigError(
                "CARTOGRAPH_NEO4J_URI is set but CARTOGRAPH_NEO4J_PASSWORD is not", code="E101"
            )
        return Neo4jTarget(
            uri=str(settings.neo4j.uri),
            user=settings.neo4j.user,
            password=settings.neo4j.password.get_secret_value(),
            database=settings.neo4j.database,
            managed=False,
        )
    cfg = server_config(settings)
    if start:
        password = start_server(cfg)
    elif cfg.password_file.exists():
        password = cfg.password_file.read_text().strip()
    else:
        raise ConfigError(
            f"the managed Neo4j has no password yet ({cfg.password_file}); "
            "run `cartograph neo4j start` first",
            code="E102",
        )
    return Neo4jTarget(
        uri=cfg.bolt_uri,
        user="neo4j",
        password=password,
        database=settings.neo4j.database,
        managed=True,
    )


def pseudonymiser(settings: Settings) -> Pseudonymiser:
    """The keyed hash for identifiers: ``CARTOGRAPH_PSEUDONYM_SECRET`` (hex) or the secret file."""
    if settings.pseudonym_secret is not None:
        try:
            secret = bytes.fromhex(settings.pseudonym_secret.get_secret_value())
        except ValueError as exc:
            raise ConfigError("CARTOGRAPH_PSEUDONYM_SECRET must be hex", code="E106") from exc
        return Pseudonymiser(secret)
    return Pseudonymiser(load_or_create_secret(settings.pseudonym_secret_file))
