"""The bulk import's files, planned without a server: MERGE semantics and exact cells."""

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from cartograph.errors import SchemaError
from graph.bulk import BulkUnsupported, cell, plan_import, value_kind, write_import_files
from graph.records import NodeRecord, RelRecord


def test_cells_say_empty_string_apart_from_no_value() -> None:
    assert cell(None) == "" and cell("") == '""'
    assert cell('a "b", c\nd') == '"a ""b"", c\nd"'
    assert cell(True) == "true" and cell(3) == "3" and cell(0.1 + 0.2) == "0.30000000000000004"
    at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert cell(at) == "2025-01-02T03:04:05-05:00" and cell(date(2020, 2, 29)) == "2020-02-29"
    assert cell(["x", "y"]) == '"x\x1fy"'


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (True, "boolean"), (1, "long"), (1.5, "double"), ("s", "string"),
        (datetime(2025, 1, 1, tzinfo=UTC), "datetime"), (datetime(2025, 1, 1), "localdatetime"),
        (date(2025, 1, 1), "date"), ([1, 2], "long[]"), (["a"], "string[]"),
        ([], None), ([1, "a"], None), (float("nan"), None), (2**70, None), (b"x", None),
        (["a\x1fb"], None),
    ],
)  # fmt: skip
def test_value_kinds_are_those_the_driver_would_store(value: object, kind: str | None) -> None:
    assert value_kind(value) == kind


def test_plan_merges_like_merge_and_set(tmp_path: Path) -> None:
    nodes = [
        NodeRecord("User", "u1", {"a": 1, "b": "x"}),
        NodeRecord("User", "u1", {"a": 2, "b": None}),  # later wins; None removes
        NodeRecord("User", "u2", {"a": 3}),
        NodeRecord("Order", "o1"),
    ]
    rels = [
        RelRecord("PLACED", "User", "u1", "Order", "o1", {"n": 1}),
        RelRecord("PLACED", "User", "u1", "Order", "o1", {"m": 2}),  # one edge, both props
        RelRecord("PLACED", "User", "u9", "Order", "o1"),  # no such user: dropped, counted
    ]
    plan = plan_import(nodes, rels)
    c = plan.counts
    assert (c.node_rows, c.nodes_created, c.rel_rows, c.relationships_created) == (4, 3, 3, 1)
    assert c.missing_endpoints == 1 and c.write_mode == "bulk"
    args = write_import_files(plan, tmp_path)
    assert not plan.multiline
    # merging never writes into a record's own props (a key seen once keeps them uncopied)
    assert nodes[0].props == {"a": 1, "b": "x"} and rels[0].props == {"n": 1}
    assert args[0] == f"--nodes=User={tmp_path / 'nodes_0.csv'}"
    assert (tmp_path / "nodes_0.csv").read_text() == 'key:ID(User),a:long\n"u1",2\n"u2",3\n'
    assert (tmp_path / "rels_0.csv").read_text() == (
        ':START_ID(User),:END_ID(Order),m:long,n:long\n"u1","o1",2,1\n'
    )


def test_values_without_an_exact_import_form_stop_the_plan() -> None:
    with pytest.raises(BulkUnsupported, match="E315"):
        plan_import([NodeRecord("User", "u1", {"raw": b"\x00"})], [])
    with pytest.raises(SchemaError, match="E311"):
        plan_import([NodeRecord("Bad Label", "k")], [])
    # a name the import header cannot hold stops the plan on whichever record first has it,
    # after records whose names were fine (the names found safe are remembered, not the bad)
    for bad in ("a:b", "key", "two words"):
        fine = NodeRecord("User", "u0", {"ok": "x"})
        with pytest.raises(BulkUnsupported, match=repr(bad)):
            plan_import([fine, NodeRecord("User", "u1", {"ok": "y", bad: 1})], [])
    for value in (float("nan"), 2**63, [1, "a"], [], {"a": 1}):
        with pytest.raises(BulkUnsupported):
            plan_import([NodeRecord("User", "u1", {"v": value})], [])


def test_records_of_one_shape_are_still_checked_value_by_value() -> None:
    """Kinds are remembered per shape (names and value types); what the type does not decide
    is checked on every record: a NaN, an out-of-range int, a list of another element kind
    or a datetime without a zone after good records of the same shape."""
    good = {"price": 1.5, "n": 3, "tags": ["a"], "at": datetime(2024, 1, 1, tzinfo=UTC)}
    for field, bad in (("price", float("inf")), ("n", 2**63)):
        records = [NodeRecord("Order", f"o{i}", good) for i in range(3)]
        with pytest.raises(BulkUnsupported, match=repr(field)):
            plan_import([*records, NodeRecord("Order", "x", {**good, field: bad})], [])
    other = [
        NodeRecord("Order", "o1", good),
        NodeRecord("Order", "o2", {**good, "tags": [1, 2]}),
        NodeRecord("Order", "o3", {**good, "at": datetime(2024, 1, 1)}),
        NodeRecord("Order", "o4", {**good, "price": 2.5}),
    ]
    plan = plan_import(other, [])
    kinds = {dict(k)["tags"] + " " + dict(k)["at"]: [key for key, _ in rows]
             for (_, k), rows in plan.nodes.items()}  # fmt: skip
    assert kinds == {
        "string[] datetime": ["o1", "o4"],
        "long[] datetime": ["o2"],
        "string[] localdatetime": ["o3"],
    }


@pytest.mark.parametrize("where", ["node", "relationship"])
def test_a_line_break_in_any_field_turns_on_multiline_parsing(tmp_path: Path, where: str) -> None:
    """``--multiline-fields`` only when needed (it slows the import), but whenever a node's or a
    relationship's string holds a line break: without it the importer splits the row."""
    text = {"t": "line one\r\nline two"}
    nodes = [NodeRecord("U", "u", text if where == "node" else {}), NodeRecord("O", "o")]
    rels = [RelRecord("R", "U", "u", "O", "o", text if where == "relationship" else {})]
    plan = plan_import(nodes, rels)
    write_import_files(plan, tmp_path)
    assert plan.multiline
