"""Writer and reader against the real server: idempotence, counts, round-trips of node keys."""

import pytest

from cartograph.errors import SchemaError
from gnn.data import node_keys, to_hetero_data
from graph.connection import Driver, count_by_label, count_by_type
from graph.reader import export_graph
from graph.records import NodeRecord, RelRecord
from graph.writer import GraphWriter, apply_schema
from testbeds.sample import SampleSize, sample_graph

SMALL = SampleSize(users=60, products=25, orders=150, rings=2, ring_size=3)


def _load(driver: Driver, batch_size: int = 50) -> None:
    nodes, rels = sample_graph(SMALL, seed=3)
    writer = GraphWriter(driver, batch_size=batch_size)
    writer.write_nodes(nodes)
    writer.write_relationships(rels)


def test_schema_is_applied_idempotently(driver: Driver) -> None:
    first = apply_schema(driver)
    assert apply_schema(driver) == first
    records, _, _ = driver.execute_query(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties "
        "RETURN labelsOrTypes[0] AS label, properties"
    )
    constrained = {r["label"] for r in records if r["properties"] == ["key"]}
    assert {"User", "Product", "Order", "Device", "Card", "Email", "IP"} <= constrained


def test_loading_twice_changes_no_counts(driver: Driver) -> None:
    apply_schema(driver)
    nodes, rels = sample_graph(SMALL, seed=3)
    writer = GraphWriter(driver, batch_size=50)
    first = writer.write_nodes(nodes)
    first.add(writer.write_relationships(rels))
    assert first.nodes_created == len(nodes) and first.relationships_created == len(rels)
    labels, types = count_by_label(driver), count_by_type(driver)
    second = writer.write_nodes(nodes)
    second.add(writer.write_relationships(rels))
    assert second.nodes_created == 0 and second.relationships_created == 0
    assert count_by_label(driver) == labels and count_by_type(driver) == types
    assert sum(labels.values()) == len(nodes) and sum(types.values()) == len(rels)


def test_missing_endpoints_are_counted_not_silently_lost(driver: Driver) -> None:
    writer = GraphWriter(driver)
    writer.write_nodes([NodeRecord("User", "u1"), NodeRecord("Product", "p1")])
    counts = writer.write_relationships(
        [
            RelRecord("VIEWED", "User", "u1", "Product", "p1"),
            RelRecord("VIEWED", "User", "u1", "Product", "p-missing"),
            RelRecord("VIEWED", "User", "u-missing", "Product", "p1"),
        ]
    )
    assert counts.rel_rows == 3 and counts.relationships_created == 1
    assert counts.missing_endpoints == 2


def test_new_label_gets_a_key_constraint_and_bad_labels_never_reach_cypher(driver: Driver) -> None:
    writer = GraphWriter(driver)
    writer.write_nodes([NodeRecord("Warehouse", "w1", {"city": "Leeds"})])
    records, _, _ = driver.execute_query(
        "SHOW CONSTRAINTS YIELD labelsOrTypes "
        "WHERE 'Warehouse' IN labelsOrTypes RETURN count(*) AS c"
    )
    assert records[0]["c"] == 1
    with pytest.raises(SchemaError):
        writer.write_nodes([NodeRecord("X`) DETACH DELETE n //", "k")])
    assert sum(count_by_label(driver).values()) == 1


def test_export_round_trips_node_keys_through_hetero_data(driver: Driver) -> None:
    _load(driver)
    arrays = export_graph(driver, node_properties={"Product": ["price"]})
    data = to_hetero_data(arrays)
    for label, keys in count_by_label(driver).items():
        assert data[label].num_nodes == keys
    ei = data["User", "PLACED", "Order"].edge_index
    pairs = set(zip(node_keys(data, "User", ei[0]), node_keys(data, "Order", ei[1]), strict=True))
    records, _, _ = driver.execute_query(
        "MATCH (u:User)-[:PLACED]->(o:Order) RETURN u.key AS u, o.key AS o"
    )
    assert pairs == {(r["u"], r["o"]) for r in records}
    assert data["Product"].x.shape == (SMALL.products, 1)
    again = export_graph(driver)
    assert again.node_keys == arrays.node_keys
    assert all((again.edges[k] == arrays.edges[k]).all() for k in arrays.edges)


def test_subgraph_export_drops_edges_leaving_it(driver: Driver) -> None:
    _load(driver)
    arrays = export_graph(driver, labels=["User", "Order"], rel_types=["PLACED", "CONTAINS"])
    assert set(arrays.node_keys) == {"User", "Order"}
    assert list(arrays.edges) == [("User", "PLACED", "Order")]
    assert arrays.num_edges == SMALL.orders


def test_datetimes_round_trip_as_zoned_datetimes(driver: Driver) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    when = datetime(2025, 3, 1, 10, 30, 15, 123456, tzinfo=UTC)
    other = datetime(2025, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    writer = GraphWriter(driver)
    writer.write_nodes(
        [NodeRecord("Order", "o1", {"created_at": when, "n": 1}), NodeRecord("User", "u1", {})]
    )
    writer.write_relationships([RelRecord("PLACED", "User", "u1", "Order", "o1", {"at": other})])
    records, _, _ = driver.execute_query(
        "MATCH (:User)-[r:PLACED]->(o:Order) RETURN o.created_at AS c, r.at AS at, "
        "valueType(o.created_at) AS t, o.n AS n"
    )
    rec = records[0]
    assert rec["t"].startswith("ZONED DATETIME") and rec["n"] == 1
    assert rec["c"].to_native() == when and rec["at"].to_native() == other


def test_a_property_a_record_lacks_is_left_alone_and_the_last_record_wins(driver: Driver) -> None:
    """Batches go as columns per set of property names: a later record without ``city`` keeps the
    stored city, a later one with ``city`` replaces it, and an explicit None removes it."""
    writer = GraphWriter(driver, batch_size=2)
    writer.write_nodes(
        [NodeRecord("User", "u1", {"city": "Leeds", "n": 1}), NodeRecord("User", "u2", {"n": 5})]
    )
    writer.write_nodes(
        [
            NodeRecord("User", "u1", {"n": 2}),  # no city: left alone
            NodeRecord("User", "u2", {"city": "York", "n": 6}),
            NodeRecord("User", "u2", {"n": 7}),  # other shape, same key: applied after
            NodeRecord("User", "u3", {"city": "Hull"}),
            NodeRecord("User", "u3", {"city": None}),  # explicit None removes
        ]
    )
    records, _, _ = driver.execute_query(
        "MATCH (u:User) RETURN u.key AS k, u.city AS city, u.n AS n ORDER BY k"
    )
    assert [(r["k"], r["city"], r["n"]) for r in records] == [
        ("u1", "Leeds", 2),
        ("u2", "York", 7),
        ("u3", None, None),
    ]


def test_a_property_name_that_is_not_an_identifier_loads_as_data(driver: Driver) -> None:
    """Property names travel as data (a ``$names`` list the template walks), never as Cypher
    text: a name with a space or a backtick is stored exactly, nodes and relationships alike."""
    writer = GraphWriter(driver)
    writer.write_nodes(
        [NodeRecord("User", "u1", {"unit price": 3}), NodeRecord("User", "u2", {"a`b": 4})]
    )
    writer.write_relationships([RelRecord("KNOWS", "User", "u1", "User", "u2", {"since y": 2})])
    records, _, _ = driver.execute_query(
        "MATCH (a:User {key: 'u1'})-[r:KNOWS]->(b:User {key: 'u2'}) "
        "RETURN a.`unit price` AS a, b.`a``b` AS b, r.`since y` AS r"
    )
    assert [(x["a"], x["b"], x["r"]) for x in records] == [(3, 4, 2)]
