"""The columnar parameters the writer sends (no server): a list per property, datetimes as text."""

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from graph.records import NodeRecord, RelRecord
from graph.writer import WriteCounts, _OneInFlight, node_params, property_columns, rel_params

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


def test_one_batch_in_flight_keeps_order_and_raises_the_batch_error() -> None:
    """The writer builds a batch while the previous one runs: never two at once, results in
    submission order, and a failed batch's error reaches the caller (at the next submit)."""
    running = threading.Semaphore(1)
    order: list[int] = []

    def batch(n: int) -> Callable[[], WriteCounts]:
        def work() -> WriteCounts:
            assert running.acquire(blocking=False), "two batches in flight"
            try:
                order.append(n)
                return WriteCounts(node_rows=n)
            finally:
                running.release()

        return work

    with _OneInFlight() as flight:
        for n in range(1, 6):
            flight.submit(batch(n))
    assert order == [1, 2, 3, 4, 5] and flight.counts.node_rows == 15

    def boom() -> WriteCounts:
        raise RuntimeError("batch 2 failed")

    with pytest.raises(RuntimeError, match="batch 2 failed"), _OneInFlight() as flight:
        flight.submit(batch(1))
        flight.submit(boom)
        flight.submit(batch(3))  # waits for boom: raises here, batch 3 is never sent
    assert order[-1] == 1
