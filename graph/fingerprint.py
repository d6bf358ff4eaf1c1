"""What a served model's graph fingerprint is checked against, read from the connected graph.

Read queries (``cypher/service/graph_schema``, then ``cypher/writes/key_sample`` per scored
label): the labels, relationship types and property keys in use, and per label the node count
(from Neo4j's count store) and how many of a sample of the model's keys exist (one key-index
lookup each: the label is filled in as a validated identifier, since a dynamic label scans).
Both cost milliseconds whether the graph holds a thousand nodes or a hundred million.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cypher
from graph.connection import Driver
from graph.records import fill_identifiers


@dataclass(frozen=True)
class GraphFacts:
    labels: frozenset[str]
    types: frozenset[str]
    properties: frozenset[str]
    nodes: dict[str, int]  # per sampled label: nodes in the graph
    found: dict[str, int]  # per sampled label: how many of the sampled keys exist


def graph_facts(driver: Driver, database: str, samples: Mapping[str, Sequence[str]]) -> GraphFacts:
    """The labels, relationship types and key-sample hits of the graph behind ``driver``."""
    records, _, _ = driver.execute_query(
        cypher.load("service/graph_schema"), database_=database, routing_="r"
    )
    row = records[0] if records else {"labels": [], "types": [], "properties": []}
    labels, types, props = (frozenset(row[c]) for c in ("labels", "types", "properties"))
    nodes: dict[str, int] = {}
    found: dict[str, int] = {}
    for label, keys in samples.items():
        if label not in labels:  # no such label here: nothing to look up (and no token to make)
            nodes[label] = found[label] = 0
            continue
        query = fill_identifiers(cypher.load("writes/key_sample"), label=label)
        rows, _, _ = driver.execute_query(
            query, {"keys": list(keys)}, database_=database, routing_="r"
        )
        nodes[label], found[label] = int(rows[0]["nodes"]), int(rows[0]["found"])
    return GraphFacts(labels, types, props, nodes, found)
