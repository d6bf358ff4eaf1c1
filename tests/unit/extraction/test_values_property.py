"""Every value type of the mapping, fed arbitrary JSON values: a storable value or a ValueError.

``test_cleaning.py`` fuzzes each normaliser with text. A JSON-lines or Parquet export hands the
cleaners numbers, lists, objects, nulls and booleans as well, and whatever a cleaner returns goes
to Neo4j unchanged, so this checks both halves of the contract ``extraction/transform.py``
relies on: only ``ValueError`` escapes (it becomes a rejects row), and what comes back is a value
a Neo4j property can hold (otherwise the whole batch would fail at load time).
"""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extraction.cleaning import (
    Money,
    normalise_address,
    normalise_email,
    normalise_name,
    parse_money,
    to_e164,
    to_utc,
)
from extraction.mapping import FieldSpec, ValueType
from extraction.pseudonymise import Pseudonymiser
from extraction.values import INT64, _identifier, as_properties, clean

TYPES: tuple[str, ...] = typing.get_args(ValueType)
PSEUDO = Pseudonymiser(b"property-test-secret-0123456789ab")
FUZZ = settings(max_examples=60, deadline=None)
# What json.loads and pyarrow hand over, plus the text shapes exports get wrong.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["inf", "-1e400", "nan", "\x00", "\x1b[31m", "\ufeff42", " 1,5 ", "1e19"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def _storable(value: Any) -> bool:
    """A Neo4j property value: a primitive, a datetime, or a list of one primitive kind."""
    if isinstance(value, bool | str | float | datetime):
        return True
    if isinstance(value, int):
        return -INT64 - 1 <= value <= INT64
    if isinstance(value, list):
        kinds = {bool if isinstance(v, bool) else float if isinstance(v, int | float) else type(v)
                 for v in value}  # fmt: skip
        return len(kinds) <= 1 and kinds <= {str, float, bool} and all(map(_storable, value))
    return False


@FUZZ
@given(st.sampled_from(TYPES), JSON, st.booleans())
def test_clean_returns_a_storable_value_or_raises_value_error(
    value_type: str, value: Any, pseudonymise: bool
) -> None:
    spec = FieldSpec.model_validate(
        {"field": "v", "type": value_type, "pseudonymise": "id" if pseudonymise else None}
    )
    try:
        result = clean(spec, {"v": value}, PSEUDO)
    except ValueError as exc:
        assert str(exc)  # the reason goes to the rejects file: never empty
        return
    if result is None:
        return
    for prop in as_properties("p", result).values():
        assert _storable(prop), (value_type, value, result)


@pytest.mark.parametrize(
    ("value_type", "value"),
    [("int", "inf"), ("int", "1e400"), ("int", 2**70), ("list", [1, "a"]), ("list", [{"a": 1}]),
     ("list", [None]), ("list", [2**70])],
)  # fmt: skip
def test_values_neo4j_cannot_store_are_rejected(value_type: str, value: Any) -> None:
    """Found by the property above: these used to raise OverflowError or reach the writer."""
    with pytest.raises(ValueError):
        clean(FieldSpec.model_validate({"field": "v", "type": value_type}), {"v": value}, None)


NORMALISERS = [
    lambda v: to_utc(v),
    lambda v: parse_money(v, "EUR"),
    lambda v: to_e164(v, "GB"),
    normalise_email,
    normalise_name,
    lambda v: normalise_address(v, "GB"),
]


@FUZZ
@given(st.sampled_from(range(len(NORMALISERS))), JSON)
def test_normalisers_take_any_json_value(which: int, value: Any) -> None:
    """The normalisers are public: a caller may pass any JSON value, not only text."""
    try:
        out = NORMALISERS[which](value)
    except ValueError:
        return
    assert out is not None
    if isinstance(out, Money):
        assert out.amount.is_finite()


def _outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "value", fn(*args)
    except ValueError as exc:
        return "error", str(exc)


@FUZZ
@given(st.sampled_from(["phone", "address"]), JSON, st.sampled_from([None, "GB", "DE"]))
def test_remembered_parses_equal_a_fresh_parse(kind: str, value: Any, region: str | None) -> None:
    """Phones and addresses are parsed once per input (``values._identifier``): the first and a
    repeated call give what the parser gives, value or error; 1, 1.0 and True stay apart."""
    fresh = (lambda v, r: to_e164(v, r)) if kind == "phone" else (
        lambda v, r: normalise_address(v, r).canonical()
    )  # fmt: skip
    expected = _outcome(fresh, value, region)
    for _ in range(2):
        assert _outcome(_identifier, kind, value, region) == expected
    for twin in (True, 1, 1.0):  # equal in Python, different inputs to a cleaner
        assert _outcome(_identifier, kind, twin, region) == _outcome(fresh, twin, region)
