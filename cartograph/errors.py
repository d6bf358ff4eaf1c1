"""One root exception with coded messages, so the CLI and HTTP layer can map every expected
failure to a clear message (and an exit code or status) without a traceback.

``CODES`` is the catalogue: every code any part of Cartograph raises or answers with is defined
here once, with what it means; ``docs/errors.md`` is checked against it by a test, and so is every
``code=...`` in the source tree. Code that reacts to an error compares exception classes, never
these strings: the codes are for people and logs.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "E000": "unclassified Cartograph error",
    # E1xx: configuration and user-supplied files
    "E100": "invalid configuration or user-supplied file",
    "E101": "CARTOGRAPH_NEO4J_URI is set but CARTOGRAPH_NEO4J_PASSWORD is not",
    "E102": "the managed Neo4j has no password yet: run `cartograph neo4j start` first",
    "E103": "the mapping file cannot be read or is invalid",
    "E104": "a source file's format cannot be told from its name: set `format` in the mapping",
    "E105": "no transformer model where one is expected",
    "E106": "CARTOGRAPH_PSEUDONYM_SECRET is not hex",
    "E107": "a source file named by the mapping does not exist",
    "E108": "a column named by the mapping is not in the source file's header",
    "E120": "the pseudonymisation secret is too short",
    "E121": "the pseudonymisation secret file cannot be opened or is not a regular file",
    "E122": "the pseudonymisation secret file is readable by group or others",
    "E123": "the pseudonymisation secret file does not hold a long enough hex secret",
    "E130": "an entity-resolution match threshold is outside (0, 1]",
    "E140": "unknown task preset",
    "E141": "the task spec file does not exist",
    "E142": "the task spec is not valid YAML or not a mapping",
    "E143": "a task spec field is invalid (the message names the field)",
    "E144": "a task spec's `train:` block has an unknown key (the message lists the valid ones)",
    "E145": "a task spec names an unknown runner, or one for another kind of task",
    "E146": "a node-classification task spec names an unregistered model",
    "E147": "`--seeds N` for a task that is not node classification, or N outside 1 to 20",
    "E160": "the catalogue has no usable category values to learn from",
    "E170": "a public data set could not be prepared",
    "E171": "the wheel carrying a public data set could not be downloaded",
    "E172": "a downloaded public data file does not match its checksum",
    "E173": "a public data archive lacks an expected file",
    # E2xx: the managed Neo4j server
    "E200": "the managed Neo4j could not be installed, started, stopped or reached",
    "E201": "no suitable Java runtime for Neo4j",
    "E202": "Maven is required to assemble Neo4j",
    "E203": "Maven could not assemble Neo4j",
    "E204": "the server's data directory exists without its password file",
    "E205": "setting Neo4j's initial password failed",
    "E206": "Neo4j rejected the stored credentials",
    "E207": "Neo4j exited during start-up",
    "E208": "Neo4j did not answer within the start timeout",
    # E3xx: writing the graph
    "E300": "a write to Neo4j failed",
    "E301": "a batch failed after the driver's retries",
    "E302": "Neo4j became unreachable during a load (committed batches are kept)",
    "E310": "an identifier is not safe for Cypher text or is unknown",
    "E311": "a label, relationship type or property name breaks the identifier rule",
    "E312": "--write-mode bulk on a Neo4j that is not the managed server",
    "E313": "--write-mode bulk on a database that already has nodes",
    "E314": "neo4j-admin database import failed (the database is left empty)",
    "E315": "a record holds a value the bulk import format cannot store exactly",
    "E316": "an unknown write mode (auto, bulk or incremental)",
    # E4xx: input records
    "E400": "an input record is invalid (the message names the record and the field)",
    "E401": "a run rejected more of its input than the threshold allows; nothing was loaded",
    "E420": "an enrichment step running beside the cleaning lost its proc"
    "ess (killed, out of memory); nothing was loaded",
    # E5xx: learning tasks and models
    "E500": "the data cannot be split for a task",
    "E501": "the graph has none of the task's interactions",
    "E502": "the task's interactions carry no time",
    "E503": "no timed interactions to split",
    "E504": "the split's cut times are out of order",
    "E505": "a given split lacks one of its parts",
    "E510": "the training graph leaks information from after the cut",
    "E511": "a classification fold leaks information from after its cut",
    "E520": "a model artefact cannot be used",
    "E521": "a model artefact cannot be written",
    "E522": "no trained model where one was asked for",
    "E523": "a model artefact is unreadable, truncated or edited",
    "E524": "a model artefact has another format version: retrain",
    "E525": "a model does not fit the graph or the request (other schema, missing inputs)",
    "E526": "no servable model among the task's models",
    "E527": "scores cannot be written to the output file",
    "E530": "a node-classification task cannot run on this graph",
    "E531": "the target label lacks the label property",
    "E532": "unknown split kind",
    "E533": "the target label lacks the time property",
    "E534": "too few matured target nodes for a temporal split",
    "E535": "the target label lacks the text property",
    "E536": "no node of the target label carries the given split value",
    "E537": "a node-classification fold has a single class among its training labels",
    # E6xx: the HTTP service (each answers with the status named)
    "E600": "invalid request (422)",
    "E601": "missing or unknown API key (401)",
    "E602": "the key's role may not call this endpoint (403)",
    "E603": "not found (404)",
    "E604": "method not allowed (405)",
    "E605": "no model loaded for this endpoint (503)",
    "E606": "Neo4j is unavailable (503)",
    "E607": "the query ran past its time limit (504)",
    "E608": "the resource already exists: an order key that is stored in the graph (409)",
    "E609": "the request body is larger than CARTOGRAPH_API_MAX_BODY_BYTES (413)",
    "E610": "the model was trained on another graph: its fingerprint (schema, key sample) does "
    "not match the connected graph (409 on reload; /ready 503)",
    "E611": "the API's port is already in use",
    "E612": "too many requests of this kind in flight: the route's queue is full (503)",
    "E613": "the API cannot listen on the host and port (privileged port, unknown address)",
    "E620": "unknown API key role",
    "E621": "the API keys file is malformed",
    "E622": "no active API key with that id",
    "E690": "internal error, logged with its traceback (500)",
}


class CartographError(Exception):
    """Root of every expected Cartograph failure. ``code`` is stable and greppable (``E101``)."""

    code = "E000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        """``code`` must be in ``CODES`` (checked by tests/unit/cartograph/test_errors.py)."""
        if code is not None:
            self.code = code
        super().__init__(message)

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"


class ConfigError(CartographError):
    """Settings or a user-supplied file (mapping, task spec) is invalid."""

    code = "E100"


class Neo4jServerError(CartographError):
    """The managed local Neo4j could not be installed, started, stopped or reached."""

    code = "E200"


class GraphWriteError(CartographError):
    """A batch could not be written to Neo4j after retries."""

    code = "E300"


class SchemaError(CartographError):
    """A label, relationship type or property name is not a safe identifier, or is unknown."""

    code = "E310"


class InputRecordError(CartographError):
    """A single input record is invalid; carries the record and field so it can go to rejects."""

    code = "E400"

    def __init__(self, message: str, *, source: str, record_id: str, field: str) -> None:
        super().__init__(f"{source} record {record_id!r}, field {field!r}: {message}")
        self.source = source
        self.record_id = record_id
        self.field = field
        self.reason = message


class TooManyRejectsError(CartographError):
    """More of a run's records were rejected than ``ingest.max_reject_share`` allows."""

    code = "E401"


class InvalidInputError(CartographError):
    """A caller's value does not fit: text Neo4j cannot take, an unreadable card number, a
    parameter over its limit. Raised below the HTTP layer too, so it lives here, not in ``api``."""

    code = "E600"


class ConflictError(CartographError):
    """A create that would overwrite what is stored (an order key already in the graph). Raised
    by ``graph`` inside the write transaction, so nothing is written; the API answers 409."""

    code = "E608"


class GraphMismatchError(CartographError):
    """A model's graph fingerprint does not match the graph it would serve (``gnn.fingerprint``):
    it was trained on another graph, and its answers would name nodes that are not there."""

    code = "E610"


class GraphUnavailableError(CartographError):
    """Neo4j cannot be reached for a read (no server, or its database is shutting down or
    still recovering): the same outage for every caller, so one class."""

    code = "E606"


class QueryTimeoutError(CartographError):
    """A read ran past its time budget and Neo4j stopped it."""

    code = "E607"
