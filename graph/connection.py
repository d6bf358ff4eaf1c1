"""Where the graph lives and how to reach it. The only place a ``neo4j.Driver`` is built."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import Driver, GraphDatabase

__all__ = ["Driver", "Neo4jTarget", "count_by_label", "count_by_type", "open_driver"]

import cypher


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


def open_driver(target: Neo4jTarget) -> Driver:
    """A driver with a bounded connection timeout so a dead server fails fast, not after minutes."""
    return GraphDatabase.driver(
        target.uri,
        auth=(target.user, target.password),
        connection_timeout=10.0,
        max_transaction_retry_time=30.0,
        # "unknown label/property" notices are normal on a partly loaded graph: not worth a log
        notifications_min_severity="OFF",
    )


def count_by_label(driver: Driver, database: str = "neo4j") -> dict[str, int]:
    """Node counts per label (a cheap check used by status, the demo and tests)."""
    records, _, _ = driver.execute_query(cypher.load("queries/node_counts"), database_=database)
    return {r["label"]: r["nodes"] for r in records}


def count_by_type(driver: Driver, database: str = "neo4j") -> dict[str, int]:
    """Relationship counts per type."""
    records, _, _ = driver.execute_query(
        cypher.load("queries/relationship_counts"), database_=database
    )
    return {r["type"]: r["relationships"] for r in records}
