import pytest

import cypher


def test_schema_files_split_into_statements() -> None:
    names = cypher.names("schema")
    assert names == sorted(names) and len(names) >= 2
    stmts = [s for n in names for s in cypher.statements(cypher.load(n))]
    assert all(s.startswith("CREATE ") and "IF NOT EXISTS" in s for s in stmts)
    assert all(";" not in s for s in stmts)


def test_every_label_in_graph_model_has_a_key_constraint() -> None:
    text = cypher.load("schema/001_constraints")
    for label in (
        "User",
        "Product",
        "Order",
        "Category",
        "Brand",
        "Device",
        "IP",
        "Card",
        "Address",
        "Email",
        "Phone",
    ):
        assert f"(n:{label}) REQUIRE n.key IS UNIQUE" in text


def test_load_refuses_paths_outside_the_package() -> None:
    with pytest.raises(FileNotFoundError):
        cypher.load("../pyproject")
    with pytest.raises(FileNotFoundError):
        cypher.load("queries/does_not_exist")


def test_queries_have_header_comments() -> None:
    for name in cypher.names("queries"):
        first = cypher.load(name).splitlines()[0]
        assert first.startswith("// Purpose:"), name


def test_statements_drops_comments_and_trailing_semicolons() -> None:
    text = "// c\nRETURN 1;\n// d\nRETURN 2;"
    assert cypher.statements(text) == ["RETURN 1", "RETURN 2"]
