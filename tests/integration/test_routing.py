"""``neo4j://`` routing against the local single server: the path a cluster or Aura takes.

A Community server answers the routing procedure with itself as writer, reader and router, so a
write, an export and the counts all run through the routing driver here exactly as they would
against a cluster. What a single server cannot show, reads landing on a follower, is checked by
its precondition: the read paths open READ transactions, and the server refuses a write in one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from neo4j.exceptions import ClientError

from graph.connection import (
    READ,
    Driver,
    Neo4jTarget,
    count_by_label,
    count_by_type,
    open_driver,
    read_session,
)
from graph.reader import export_graph
from graph.writer import GraphWriter, apply_schema
from testbeds.sample import SampleSize, sample_graph

SMALL = SampleSize(users=30, products=12, orders=60, rings=1, ring_size=3)


@pytest.fixture()
def routed(driver: Driver, neo4j_target: Neo4jTarget) -> Iterator[Driver]:
    """A driver on the emptied test database through the routing scheme and a named database."""
    port = neo4j_target.uri.rsplit(":", 1)[1]
    target = Neo4jTarget(f"neo4j://127.0.0.1:{port}", "neo4j", neo4j_target.password, "neo4j")
    with open_driver(target) as routing_driver:
        yield routing_driver


def test_server_answers_routing_with_itself_in_every_role(routed: Driver) -> None:
    records, _, _ = routed.execute_query(
        "CALL dbms.routing.getRoutingTable({}, $db) YIELD servers RETURN servers",
        db="neo4j",
        routing_=READ,
    )
    roles = {s["role"]: s["addresses"] for s in records[0]["servers"]}
    assert set(roles) == {"WRITE", "READ", "ROUTE"}
    assert all(addresses for addresses in roles.values())


def test_write_then_export_through_neo4j_scheme(routed: Driver, driver: Driver) -> None:
    nodes, rels = sample_graph(SMALL, seed=5)
    apply_schema(routed, "neo4j")
    writer = GraphWriter(routed, database="neo4j", batch_size=40)
    written = writer.write_nodes(nodes)
    written.add(writer.write_relationships(rels))
    labels, types = count_by_label(routed, "neo4j"), count_by_type(routed, "neo4j")
    arrays = export_graph(routed, "neo4j")
    assert written.nodes_created == len(nodes) and written.relationships_created == len(rels)
    assert sum(labels.values()) == len(nodes) and sum(types.values()) == len(rels)
    assert labels == count_by_label(driver) and types == count_by_type(driver)  # via bolt://
    assert arrays.num_nodes == len(nodes) and arrays.num_edges == len(rels)
    assert {k: len(v) for k, v in arrays.node_keys.items() if v} == labels


def test_read_paths_open_read_transactions(routed: Driver) -> None:
    """A server refuses writes in READ mode: so what the read helpers send would be routed to
    readers in a cluster, and a write slipped into a read path fails loudly instead."""
    with pytest.raises(ClientError, match=r"(?i)read"):
        routed.execute_query("CREATE (:RoutingProbe)", routing_=READ, database_="neo4j")
    with read_session(routed, "neo4j") as session, pytest.raises(ClientError, match=r"(?i)read"):
        session.run("CREATE (:RoutingProbe)").consume()
    assert "RoutingProbe" not in count_by_label(routed, "neo4j")


def test_unknown_database_name_is_refused(routed: Driver) -> None:
    with pytest.raises(ClientError, match=r"(?i)database"):
        count_by_label(routed, "no_such_db")
