"""Where the graph lives and how to reach it. The only place a ``neo4j.Driver`` is built.

The URI decides the topology: ``bolt://host:port`` talks to one server; ``neo4j://host:port``
(or ``neo4j+s://`` for Aura) asks that server for the cluster's routing table, so writes go to
the database's leader and reads marked READ go to followers and read replicas. A single
Community server answers routing requests with itself in every role, so the same code and tests
run against it unchanged. Read paths therefore always say they are reads: ``read_session`` and
``routing_=READ`` below (docs/scaling.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j import READ_ACCESS, Driver, GraphDatabase, RoutingControl, Session

__all__ = [
    "READ",
    "Driver",
    "Neo4jTarget",
    "count_by_label",
    "count_by_type",
    "open_driver",
    "read_session",
]

import cypher

# ``driver.execute_query(..., routing_=READ)``: sent to a reader in a cluster.
READ = RoutingControl.READ


@dataclass(frozen=True)
class Neo4jTarget:
    """A reachable Neo4j: local managed server or any Neo4j 5 the user points at."""

    uri: str
    user: str
    password: str
    database: str = "neo4j"
    managed: bool = True

    def __repr__(self) -> str:  # never print the password
        return f"Neo4jTarget(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"


# How long opening one connection may take: a dead or restarting server fails a request after
# this, not after the driver's retry budget (``max_transaction_retry_time``, 30 s).
CONNECTION_TIMEOUT_S = 10.0


def open_driver(target: Neo4jTarget) -> Driver:
    """A driver with a bounded connection timeout so a dead server fails fast, not after minutes."""
    return GraphDatabase.driver(
        target.uri,
        auth=(target.user, target.password),
        connection_timeout=CONNECTION_TIMEOUT_S,
        max_transaction_retry_time=30.0,
        # "unknown label/property" notices are normal on a partly loaded graph: not worth a log
        notifications_min_severity="OFF",
    )


def read_session(driver: Driver, database: str = "neo4j", **config: Any) -> Session:
    """A session whose auto-commit queries and ``execute_read`` go to readers when routing."""
    return driver.session(database=database, default_access_mode=READ_ACCESS, **config)


def count_by_label(driver: Driver, database: str = "neo4j") -> dict[str, int]:
    """Node counts per label (a cheap check used by status, the demo and tests)."""
    records, _, _ = driver.execute_query(
        cypher.load("queries/node_counts"), database_=database, routing_=READ
    )
    return {r["label"]: r["nodes"] for r in records}


def count_by_type(driver: Driver, database: str = "neo4j") -> dict[str, int]:
    """Relationship counts per type."""
    records, _, _ = driver.execute_query(
        cypher.load("queries/relationship_counts"), database_=database, routing_=READ
    )
    return {r["type"]: r["relationships"] for r in records}
