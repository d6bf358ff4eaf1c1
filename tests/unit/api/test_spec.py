"""The query header spec: every shipped query parses, and parameters are checked strictly."""

from datetime import datetime

import pytest

from cypher.spec import ParamSpec, SpecError, bind, catalogue, coerce, parse

HEADER = """// Purpose: a test query
// that wraps.
// Param: n int = 3 in 1..10 -- how many
// Param: who string -- required
// Param: since datetime = '2025-01-01T00:00:00+00:00'
// Example: :params {n: 3, who: 'x'}
// Returns: a, b
RETURN $n AS a, $who AS b
"""


def test_header_is_parsed_into_typed_params() -> None:
    spec = parse("t", HEADER)
    assert spec.purpose == "a test query that wraps."
    n, who, since = spec.params
    assert (n.type, n.default, n.minimum, n.maximum, n.doc) == ("int", 3, 1, 10, "how many")
    assert who.required and not n.required
    assert isinstance(since.default, datetime)
    assert spec.returns == ("a", "b") and spec.example.startswith(":params")


@pytest.mark.parametrize("folder", ["queries", "service"])
def test_every_shipped_query_has_a_parseable_header(folder: str) -> None:
    specs = catalogue(folder)
    assert len(specs) >= (10 if folder == "queries" else 6)
    for name, spec in specs.items():
        assert spec.returns, name
        for p in spec.params:
            assert f"${p.name}" in spec.text, (name, p.name)


def test_bind_fills_defaults_and_rejects_unknown_or_missing() -> None:
    spec = parse("t", HEADER)
    assert bind(spec, {"who": "x"})["n"] == 3
    with pytest.raises(SpecError, match="unknown"):
        bind(spec, {"who": "x", "drop": 1})
    with pytest.raises(SpecError, match="missing"):
        bind(spec, {})


@pytest.mark.parametrize(
    ("type_", "value"),
    [("int", "3"), ("int", True), ("int", 2.5), ("float", "x"), ("string", 3), ("bool", "true"),
     ("datetime", "yesterday"), ("datetime", "2025-01-01T00:00:00")],
)  # fmt: skip
def test_coerce_refuses_wrong_types(type_: str, value: object) -> None:
    with pytest.raises(SpecError):
        coerce(ParamSpec("p", type_), value)


def test_bounds_are_inclusive() -> None:
    p = ParamSpec("k", "int", 1, 1, 4)
    assert coerce(p, 4) == 4
    with pytest.raises(SpecError, match="<= 4"):
        coerce(p, 5)
    with pytest.raises(SpecError, match=">= 1"):
        coerce(p, 0)


def test_malformed_param_line_is_an_error() -> None:
    with pytest.raises(SpecError):
        parse("bad", "// Purpose: x\n// Param: n integer\nRETURN 1")


@pytest.mark.parametrize("folder", ["queries", "service"])
def test_examples_set_every_parameter(folder: str) -> None:
    """Browser does not know header defaults: the example must set every parameter to run as-is."""
    for name, spec in catalogue(folder).items():
        for p in spec.params:
            assert f"{p.name}:" in spec.example or f"{p.name} =>" in spec.example, (name, p.name)
