import pytest

from cartograph.errors import SchemaError
from graph.records import NodeRecord, RelRecord, check_identifier, fill_identifiers


@pytest.mark.parametrize("name", ["User", "HAS_EMAIL", "a1", "x" * 64])
def test_plain_identifiers_pass(name: str) -> None:
    assert check_identifier(name) == name


@pytest.mark.parametrize(
    "name", ["", "1User", "User`) DETACH DELETE n //", "a b", "x" * 65, "Ü", "a-b"]
)
def test_unsafe_identifiers_are_rejected(name: str) -> None:
    with pytest.raises(SchemaError, match="E311"):
        check_identifier(name)


def test_fill_identifiers_only_touches_slots() -> None:
    template = "MERGE (n:`{label}` {key: row.key}) SET n += row.props"
    assert fill_identifiers(template, label="User") == (
        "MERGE (n:`User` {key: row.key}) SET n += row.props"
    )


def test_fill_identifiers_rejects_injection() -> None:
    with pytest.raises(SchemaError):
        fill_identifiers("MATCH (n:`{label}`)", label="X`) DETACH DELETE n //")


def test_rel_group() -> None:
    rel = RelRecord("PLACED", "User", "u1", "Order", "o1")
    assert rel.group == ("User", "PLACED", "Order")
    assert NodeRecord("User", "u1").props == {}
