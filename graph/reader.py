"""Export the graph (or the part named by labels and types) to arrays with stable key mappings.

The export is schema-driven: whatever labels and relationship types the database holds become
node and edge sets, so a user's own graph exports without code. Index ``i`` of a label is its
``i``-th key in sorted order, so the same graph always yields the same arrays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from neo4j import Driver

import cypher
from graph.connection import READ, read_session
from graph.records import fill_identifiers

EdgeType = tuple[str, str, str]


@dataclass
class GraphArrays:
    """Nodes as ordered key lists, edges as ``(2, E)`` int64 index arrays, properties as arrays."""

    node_keys: dict[str, list[str]] = field(default_factory=dict)
    node_props: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    edges: dict[EdgeType, np.ndarray] = field(default_factory=dict)
    edge_props: dict[EdgeType, dict[str, np.ndarray]] = field(default_factory=dict)

    def index_of(self, label: str) -> dict[str, int]:
        """Key → row position for one label (the inverse of ``node_keys``)."""
        return {k: i for i, k in enumerate(self.node_keys[label])}

    @property
    def num_nodes(self) -> int:
        return sum(len(v) for v in self.node_keys.values())

    @property
    def num_edges(self) -> int:
        return sum(int(v.shape[1]) for v in self.edges.values())


def schema_tokens(driver: Driver, database: str = "neo4j") -> tuple[list[str], list[str]]:
    """(labels, relationship types) present in the database, sorted."""
    records, _, _ = driver.execute_query(
        cypher.load("writes/schema_tokens"), database_=database, routing_=READ
    )
    if not records:
        return [], []
    return sorted(records[0]["labels"]), sorted(records[0]["types"])


def export_graph(
    driver: Driver,
    database: str = "neo4j",
    labels: Sequence[str] | None = None,
    rel_types: Sequence[str] | None = None,
    node_properties: dict[str, list[str]] | None = None,
    edge_properties: dict[str, list[str]] | None = None,
) -> GraphArrays:
    """Read nodes of ``labels`` and relationships of ``rel_types`` (default: all) into arrays.

    Relationships whose endpoints fall outside the exported labels are dropped, so a subgraph
    export is always self-consistent.
    """
    all_labels, all_types = schema_tokens(driver, database)
    out = GraphArrays()
    for label in sorted(labels if labels is not None else all_labels):
        props = (node_properties or {}).get(label, [])
        keys, values = _read_nodes(driver, database, label, props)
        out.node_keys[label] = keys
        out.node_props[label] = {p: _to_array([v[i] for v in values]) for i, p in enumerate(props)}
    index = {label: out.index_of(label) for label in out.node_keys}
    for rel_type in sorted(rel_types if rel_types is not None else all_types):
        props = (edge_properties or {}).get(rel_type, [])
        _read_edges(driver, database, rel_type, props, index, out)
    return out


def _read_nodes(
    driver: Driver, database: str, label: str, props: list[str]
) -> tuple[list[str], list[list[Any]]]:
    query = fill_identifiers(cypher.load("writes/export_nodes"), label=label)
    keys: list[str] = []
    values: list[list[Any]] = []
    with read_session(driver, database, fetch_size=10_000) as session:
        for record in session.run(query, props=props):
            keys.append(record["key"])
            values.append(record["values"])
    return keys, values


def _read_edges(
    driver: Driver,
    database: str,
    rel_type: str,
    props: list[str],
    index: dict[str, dict[str, int]],
    out: GraphArrays,
) -> None:
    query = fill_identifiers(cypher.load("writes/export_relationships"), type=rel_type)
    pairs: dict[EdgeType, list[tuple[int, int]]] = defaultdict(list)
    values: dict[EdgeType, list[list[Any]]] = defaultdict(list)
    with read_session(driver, database, fetch_size=10_000) as session:
        for rec in session.run(query, props=props):
            start = _exported_label(rec["start_labels"], rec["start"], index)
            end = _exported_label(rec["end_labels"], rec["end"], index)
            if start is None or end is None:
                continue
            et = (start, rel_type, end)
            pairs[et].append((index[start][rec["start"]], index[end][rec["end"]]))
            values[et].append(rec["values"])
    for et in sorted(pairs):
        order = sorted(range(len(pairs[et])), key=pairs[et].__getitem__)
        arr = np.asarray([pairs[et][i] for i in order], dtype=np.int64).reshape(-1, 2).T
        out.edges[et] = np.ascontiguousarray(arr)
        out.edge_props[et] = {
            p: _to_array([values[et][i][j] for i in order]) for j, p in enumerate(props)
        }


def _exported_label(labels: list[str], key: str, index: dict[str, dict[str, int]]) -> str | None:
    """The node's label among the exported ones that holds its key (sorted first when several):
    Neo4j does not order a node's labels, so ``labels(n)[0]`` could be a band like ``RiskHigh``
    that is not exported, and the relationship would silently vanish from the export."""
    for label in sorted(labels):
        if label in index and key in index[label]:
            return label
    return None


def _to_array(column: list[Any]) -> np.ndarray:
    """Numbers and equal-length number lists become float arrays; anything else stays object."""
    try:
        return np.asarray([np.nan if v is None else v for v in column], dtype=np.float32)
    except (TypeError, ValueError):
        return np.asarray(column, dtype=object)


def node_property_keys(driver: Driver, database: str = "neo4j") -> dict[str, list[str]]:
    """Property names per label (sorted, without ``key``): what a schema-driven export reads
    when a task spec names no feature properties."""
    with read_session(driver, database) as session:
        rows = list(session.run(cypher.load("writes/node_property_keys")))
    return {r["label"]: sorted(p for p in r["properties"] if p != "key") for r in rows}
