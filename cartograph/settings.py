"""All configuration in one pydantic-settings object (env prefix ``CARTOGRAPH_``), nested by
concern: ``neo4j``, ``ingest``, ``train``, ``api``.

Only the CLI and the app factory build it; lower layers receive plain arguments, so they stay
testable and reusable without an environment. A nested field is set from the environment as
``CARTOGRAPH_<GROUP>_<FIELD>`` (``CARTOGRAPH_NEO4J_URI``, ``CARTOGRAPH_API_PORT``,
``CARTOGRAPH_INGEST_BATCH_SIZE``, ``CARTOGRAPH_TRAIN_DEVICE``); the group is split off at the first
underscore only, so field names keep theirs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The one place the managed server's versions are written down: 5.26 is the LTS line that runs
# on the machine's JDK 17; Browser 5.24.0 is the newest on Maven Central.
NEO4J_VERSION = "5.26.30"
NEO4J_BROWSER_VERSION = "5.24.0"


class Neo4jSettings(BaseModel):
    """Which Neo4j: a user's (``uri`` given: nothing is installed or started) or the managed one."""

    uri: str | None = None
    user: str = "neo4j"
    password: SecretStr | None = None
    database: str = "neo4j"
    version: str = NEO4J_VERSION
    browser_version: str = NEO4J_BROWSER_VERSION
    home: Path = PROJECT_ROOT / "var" / "neo4j"
    bolt_port: int = 7687
    http_port: int = 7474
    # Heap 2g + page cache 2g leaves most of 24 GiB to PyTorch and the API.
    heap: str = "2g"
    pagecache: str = "2g"
    start_timeout_s: float = Field(default=120.0, gt=0)


class IngestSettings(BaseModel):
    """Reading, cleaning and loading exports."""

    mapping: Path = PROJECT_ROOT / "extraction" / "mappings" / "marketplace.yaml"
    # Rows per UNWIND batch: large enough to amortise a round trip, small enough for 2g of heap.
    batch_size: int = Field(default=10_000, gt=0)
    # Entity resolution: a SAME_AS is written at or above these scores (see
    # docs/entity-resolution.md for how they were chosen on seed 7 and checked on seed 8).
    er_user_threshold: float = Field(default=0.6, ge=0, le=1)
    er_product_threshold: float = Field(default=0.4, ge=0, le=1)
    # A run rejecting more than this share of its records stops before loading (exit 1): it is
    # almost always a wrong mapping; 1.0 loads whatever survives.
    max_reject_share: float = Field(default=0.5, ge=0, le=1)
    # How records reach Neo4j: "incremental" is the batched UNWIND MERGE writer (any Neo4j, any
    # state, idempotent); "bulk" is neo4j-admin database import into the empty managed database
    # (the server is stopped for it; several times faster); "auto" is bulk exactly then.
    write_mode: Literal["auto", "bulk", "incremental"] = "auto"


class TrainingSettings(BaseModel):
    """Where models go and what they run on."""

    # Trained models: <models_dir>/<task>/<stamp>/, with <task>/latest -> the newest good one.
    models_dir: Path = PROJECT_ROOT / "var" / "models"
    # "auto": cuda when available, else cpu; or any torch device string ("cpu", "cuda:1").
    device: str = "auto"


class ApiSettings(BaseModel):
    """The HTTP service."""

    # Loopback by default: the service is exposed only when an operator says so.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, gt=0, lt=65536)
    # API keys, hashed at rest (salted SHA-256 of a 256-bit random token), mode 0600.
    keys_file: Path = PROJECT_ROOT / "var" / "secrets" / "api_keys.json"
    # Analyst queries: bounded so one heavy query cannot starve the service on 2 cores.
    query_timeout_s: float = Field(default=10.0, gt=0)
    row_limit: int = Field(default=1000, gt=0)
    # Largest K for recommendations and most pairs per /links/score request.
    max_k: int = Field(default=100, gt=0)
    max_pairs: int = Field(default=1000, gt=0)
    # Request bodies are refused (413) past this many bytes, before any parsing: the largest
    # legitimate body (1000 pairs, a 200-item order) is well under 200 KB.
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    # Longest string an analyst query parameter may be (422): keys are under 200 characters.
    max_param_chars: int = Field(default=1000, gt=0)
    # Requests in flight per route class (``api.concurrency``); more wait in a bounded queue
    # for at most ``route_wait_s``, and a full queue answers 503 E612. Analyst queries are few
    # and heavy, scoring many and light: 4 analyst queries at once leave most of the 40 worker
    # threads to scoring. One model reload at a time.
    analyst_concurrency: int = Field(default=4, gt=0)
    scoring_concurrency: int = Field(default=32, gt=0)
    route_queue: int = Field(default=64, ge=0)
    route_wait_s: float = Field(default=5.0, gt=0)
    # Worker threads running the async routes' CPU work (the fraud model, building answers) at
    # once, per worker process: torch has one intra-op thread per worker and Python one GIL, so
    # more only queue inside the process instead of in front of it.
    cpu_concurrency: int = Field(default=2, gt=0)
    # Worker processes of `cartograph serve` (each loads the models, ~100 MB here); 0: one per
    # core this process may use. 1 serves in the CLI's own process.
    workers: int = Field(default=0, ge=0)


class Settings(BaseSettings):
    """Resolved configuration. Defaults target the managed local Neo4j on a 2-core, 24 GiB box."""

    model_config = SettingsConfigDict(
        env_prefix="CARTOGRAPH_",
        env_file=None,
        extra="ignore",
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    train: TrainingSettings = Field(default_factory=TrainingSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    # One seed for generation, splits and training: the same command gives the same results.
    seed: int = 7
    runs_dir: Path = PROJECT_ROOT / "runs"
    # Built-in data: generated once per (scale, seed) under data_dir and reused.
    data_dir: Path = PROJECT_ROOT / "var" / "data"
    scale: str = "small"
    # Built-in fraud: "plain", or "camouflaged" (crews that hide among benign customers).
    fraud: Literal["plain", "camouflaged"] = "plain"
    # Key for pseudonymising identifiers (ingestion and the API's checkouts share it): hex in
    # the environment, else a 0600 file made once.
    pseudonym_secret: SecretStr | None = None
    pseudonym_secret_file: Path = PROJECT_ROOT / "var" / "secrets" / "pseudonym.key"

    @property
    def managed(self) -> bool:
        """True when Cartograph runs its own local server rather than a user-supplied one."""
        return self.neo4j.uri is None
