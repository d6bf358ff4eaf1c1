"""All configuration in one pydantic-settings object (env prefix ``CARTOGRAPH_``).

Only the CLI and the app factory build it; lower layers receive plain arguments, so they stay
testable and reusable without an environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Resolved configuration. Defaults target the managed local Neo4j on a 2-core, 24 GiB box."""

    model_config = SettingsConfigDict(env_prefix="CARTOGRAPH_", env_file=None, extra="ignore")

    # External Neo4j: when a URI is given, nothing is installed or started.
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"

    # Managed local Neo4j. 5.26 is the LTS line that runs on the machine's JDK 17.
    neo4j_version: str = "5.26.30"
    neo4j_browser_version: str = "5.24.0"
    neo4j_home: Path = PROJECT_ROOT / "var" / "neo4j"
    neo4j_bolt_port: int = 7687
    neo4j_http_port: int = 7474
    # Heap 2g + page cache 2g leaves most of 24 GiB to PyTorch and the API.
    neo4j_heap: str = "2g"
    neo4j_pagecache: str = "2g"
    neo4j_start_timeout_s: float = Field(default=120.0, gt=0)

    runs_dir: Path = PROJECT_ROOT / "runs"
    # Trained models: <models_dir>/<task>/<stamp>/, with <task>/latest -> the newest good one.
    models_dir: Path = PROJECT_ROOT / "var" / "models"
    # "auto": cuda when available, else cpu; or any torch device string ("cpu", "cuda:1").
    device: str = "auto"
    # Built-in data: generated once per (scale, seed) under data_dir and reused.
    data_dir: Path = PROJECT_ROOT / "var" / "data"
    scale: str = "small"
    mapping: Path = PROJECT_ROOT / "extraction" / "mappings" / "marketplace.yaml"
    # Key for pseudonymising identifiers: hex in the environment, else a 0600 file made once.
    pseudonym_secret: SecretStr | None = None
    # Entity resolution: a SAME_AS is written at or above these scores (see
    # docs/entity-resolution.md for how they were chosen on seed 7 and checked on seed 8).
    er_user_threshold: float = Field(default=0.6, ge=0, le=1)
    er_product_threshold: float = Field(default=0.4, ge=0, le=1)
    pseudonym_secret_file: Path = PROJECT_ROOT / "var" / "secrets" / "pseudonym.key"
    seed: int = 7
    batch_size: int = Field(default=10_000, gt=0)

    @property
    def managed(self) -> bool:
        """True when Cartograph runs its own local server rather than a user-supplied one."""
        return self.neo4j_uri is None

    # --- HTTP API (issue 5) ---
    # Loopback by default: the service is exposed only when an operator says so.
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, gt=0, lt=65536)
    # API keys, hashed at rest (salted SHA-256 of a 256-bit random token), mode 0600.
    api_keys_file: Path = PROJECT_ROOT / "var" / "secrets" / "api_keys.json"
    # Analyst queries: bounded so one heavy query cannot starve the service on 2 cores.
    api_query_timeout_s: float = Field(default=10.0, gt=0)
    api_row_limit: int = Field(default=1000, gt=0)
    # Largest K for recommendations and most pairs per /links/score request.
    api_max_k: int = Field(default=100, gt=0)
    api_max_pairs: int = Field(default=1000, gt=0)
