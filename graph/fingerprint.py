"""What a served model's graph fingerprint is checked against, read from the connected graph.

Two read queries (``cypher/service/graph_schema``, ``cypher/service/key_sample``): the labels,
relationship types and property keys in use, and per scored label the node count (from Neo4j's
count store) and how many of a sample of the model's keys exist (one key-index lookup each).
Both cost milliseconds whether the graph holds a thousand nodes or a hundred million.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cypher
from graph.connection import Driver


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
    payload = [{"label": label, "keys": list(keys)} for label, keys in samples.items()]
    rows, _, _ = driver.execute_query(
        cypher.load("service/key_sample"), {"samples": payload}, database_=database, routing_="r"
    )
    return GraphFacts(
        labels,
        types,
        props,
        {r["label"]: int(r["nodes"]) for r in rows},
        {r["label"]: int(r["found"]) for r in rows},
    )
