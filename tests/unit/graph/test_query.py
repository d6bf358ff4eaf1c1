"""Read results as JSON without a server: which properties leave, and how paths, nodes,
relationships and temporal values look (hand-built stand-ins for the driver's types)."""

from dataclasses import dataclass, field
from typing import Any

from graph.query import to_json


@dataclass
class _Node:
    labels: set[str]
    props: dict[str, Any]
    element_id: str = "4:x:1"

    def items(self) -> Any:
        return self.props.items()

    def __getitem__(self, name: str) -> Any:
        return self.props[name]


@dataclass
class _Rel:
    type: str
    start_node: _Node | None
    end_node: _Node | None
    props: dict[str, Any] = field(default_factory=dict)

    def items(self) -> Any:
        return self.props.items()


@dataclass
class _Path:
    nodes: list[_Node]
    relationships: list[_Rel]


class _Time:
    def iso_format(self) -> str:
        return "2025-06-01T12:00:00Z"


KEEP = {"key", "score"}


def test_nodes_and_relationships_keep_only_the_listed_properties() -> None:
    user = _Node({"User"}, {"key": "u1", "email_raw": "a@b.c"})
    item = _Node({"Product", "Item"}, {"key": "p1", "embedding": [0.1, 0.2]})
    rel = _Rel("RECOMMENDED", user, item, {"score": 0.9, "note": "free text"})
    assert to_json(user, KEEP) == {"labels": ["User"], "key": "u1"}
    assert to_json(item, KEEP) == {"labels": ["Item", "Product"], "key": "p1"}
    assert to_json(rel, KEEP) == {"type": "RECOMMENDED", "start": "u1", "end": "p1", "score": 0.9}
    assert to_json(user, ()) == {"labels": ["User"]}


def test_paths_lists_maps_and_times() -> None:
    a, b = _Node({"User"}, {"key": "a"}), _Node({"Card"}, {"key": "card:1"})
    path = _Path([a, b], [_Rel("USED_CARD", a, b)])
    assert to_json(path, KEEP) == {
        "nodes": [{"labels": ["User"], "key": "a"}, {"labels": ["Card"], "key": "card:1"}],
        "relationships": [{"type": "USED_CARD", "start": "a", "end": "card:1"}],
    }
    assert to_json({"at": _Time(), "xs": (1, None, "s")}, KEEP) == {
        "at": "2025-06-01T12:00:00Z",
        "xs": [1, None, "s"],
    }
    assert to_json(_Rel("R", None, None), KEEP) == {"type": "R", "start": None, "end": None}
    assert to_json(object.__new__(_Odd), KEEP) == "odd"


class _Odd:
    def __str__(self) -> str:
        return "odd"


def test_read_failures_become_coded_errors() -> None:
    """The one mapping both the sync and the async reader use: timeouts are E607, an outage
    E606, unsendable text 422's InvalidInputError; any other driver error is re-raised as is."""
    from neo4j.exceptions import ClientError, ServiceUnavailable

    from cartograph.errors import GraphUnavailableError, InvalidInputError, QueryTimeoutError
    from graph.query import coded_error

    timed_out = ClientError()
    timed_out._neo4j_code = "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"
    syntax = ClientError()
    syntax._neo4j_code = "Neo.ClientError.Statement.SyntaxError"
    surrogate = UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
    assert isinstance(coded_error(timed_out, 2.0), QueryTimeoutError)
    assert "2 s" in str(coded_error(timed_out, 2.0))
    assert isinstance(coded_error(ServiceUnavailable("down"), 2.0), GraphUnavailableError)
    assert isinstance(coded_error(surrogate, 2.0), InvalidInputError)
    assert coded_error(syntax, 2.0) is None
