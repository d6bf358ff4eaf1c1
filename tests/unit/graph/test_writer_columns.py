"""The columnar parameters the writer sends (no server): a list per property, datetimes as text."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from graph.records import NodeRecord, RelRecord
from graph.writer import node_params, property_columns, rel_params

AT = datetime(2025, 3, 1, 10, 30, tzinfo=UTC)


def test_fixed_offset_datetimes_go_as_iso_columns_and_the_rest_stays_as_values() -> None:
    plus2 = datetime(2025, 3, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    london = datetime(2025, 3, 1, 12, tzinfo=ZoneInfo("Europe/London"))
    rows = [
        {"at": AT, "zoned": london, "naive": datetime(2025, 1, 1), "day": date(2025, 1, 2),
         "gone": None, "n": 1},
        {"at": None, "zoned": london, "naive": datetime(2025, 1, 1), "day": date(2025, 1, 2),
         "gone": None, "n": 2},
        {"at": plus2, "zoned": london, "naive": datetime(2025, 1, 1), "day": date(2025, 1, 2),
         "gone": None, "n": 3},
    ]  # fmt: skip
    cols = property_columns(rows, ["at", "day", "gone", "n", "naive", "zoned"])
    assert cols["time_names"] == ["at"]
    assert cols["time_values"] == [[AT.isoformat(), None, plus2.isoformat()]]
    assert cols["names"] == ["day", "gone", "n", "naive", "zoned"]
    assert cols["values"][cols["names"].index("n")] == [1, 2, 3]
    assert cols["values"][cols["names"].index("zoned")] == [london] * 3  # zone id kept
    assert cols["values"][cols["names"].index("gone")] == [None] * 3


def test_node_and_relationship_params_are_aligned_columns() -> None:
    nodes = [
        NodeRecord("User", "u1", {"b": 1, "a": "x"}),
        NodeRecord("User", "u2", {"a": "y", "b": 2}),
    ]
    params = node_params(nodes)
    assert params["keys"] == ["u1", "u2"]
    assert params["names"] == ["a", "b"] and params["values"] == [["x", "y"], [1, 2]]
    rels = [RelRecord("PLACED", "User", "u1", "Order", "o1", {"at": AT})]
    rp = rel_params(rels)
    assert rp["starts"] == ["u1"] and rp["ends"] == ["o1"]
    assert rp["names"] == [] and rp["time_names"] == ["at"]
    assert node_params([NodeRecord("User", "u3")]) == {
        "keys": ["u3"], "names": [], "values": [], "time_names": [], "time_values": []
    }  # fmt: skip
