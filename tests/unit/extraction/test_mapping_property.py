"""The mapping-file reader on arbitrary files: a valid ``Mapping`` or a ``ConfigError`` that names
the offending entry, never any other exception.

Three kinds of input: arbitrary text (mostly not YAML, or YAML of the wrong shape), arbitrary
YAML structures, and a valid mapping with one entry replaced, removed or added, where the error
must point at (a prefix of, or a path under) the entry that was changed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartograph.errors import ConfigError
from extraction.mapping import Mapping, load_mapping

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
VALID: dict[str, Any] = {
    "version": 1,
    "sources": {
        "shop": {
            "path": "customers.csv",
            "record_id": "id",
            "nodes": {
                "user": {
                    "label": "User",
                    "key": "web:{id}",
                    "props": {"created": {"field": "c", "type": "datetime", "required": True}},
                },
                "email": {
                    "label": "Email",
                    "key": {"field": "email", "type": "email", "pseudonymise": "email"},
                    "optional": True,
                },
            },
            "relationships": [{"type": "HAS_EMAIL", "from": "user", "to": "email"}],
        }
    },
}
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT,
    st.sampled_from(["User", "1bad", "a b", "str", "datetime", "{id}", "x.csv", "from", ""]),
)  # fmt: skip
YAML_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(TEXT | st.integers(), inner, max_size=3)
    ),
    max_leaves=10,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every entry of a nested dict/list, as a key path."""
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    out = []
    for key, value in items:
        out.append((*prefix, key))
        out.extend(_paths(value, (*prefix, key)))
    return out


ENTRIES = _paths(VALID)


def _load(tmp_path: Path, text: str | bytes) -> Mapping | ConfigError:
    path = tmp_path / "mapping.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    try:
        return load_mapping(path, tmp_path)
    except ConfigError as exc:  # anything else fails the test with its traceback
        assert str(exc).startswith("[E10") and str(path) in str(exc)
        return exc


@FUZZ
@given(st.one_of(TEXT, st.text(max_size=80).map(lambda s: s.encode("utf-8", "surrogatepass")),
                 st.binary(max_size=80)))  # fmt: skip
def test_arbitrary_bytes(tmp_path: Path, text: str | bytes) -> None:
    _load(tmp_path, text)


@FUZZ
@given(YAML_VALUES)
def test_arbitrary_yaml_structures(tmp_path: Path, value: Any) -> None:
    _load(tmp_path, yaml.safe_dump(value))


def _error_locations(error: ConfigError) -> list[str]:
    """The dotted entry paths in ``invalid mapping <file>: <loc>: <msg>; <loc>: <msg>``."""
    detail = str(error).split(": ", 1)[1]
    return [part.split(": ", 1)[0] for part in detail.split("; ")]


def _related(a: str, b: str) -> bool:
    """One path is the other or lies under it."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


@FUZZ
@given(st.sampled_from(ENTRIES), st.sampled_from(["replace", "delete", "add"]), YAML_VALUES)
def test_one_broken_entry_is_named(
    tmp_path: Path, entry: tuple[Any, ...], how: str, value: Any
) -> None:
    raw = copy.deepcopy(VALID)
    parent: Any = raw
    for key in entry[:-1]:
        parent = parent[key]
    last = entry[-1]
    if how == "replace":
        parent[last] = value
    elif how == "delete":
        del parent[last]
    elif isinstance(parent[last], dict):
        parent[last]["unexpected_key"] = value
        entry = (*entry, "unexpected_key")
    else:
        return
    result = _load(tmp_path, yaml.safe_dump(raw))
    if isinstance(result, Mapping):
        return
    wanted = ".".join(map(str, entry))
    assert any(_related(loc, wanted) for loc in _error_locations(result)), (wanted, str(result))


def test_valid_mapping_loads(tmp_path: Path) -> None:
    mapping = _load(tmp_path, yaml.safe_dump(VALID))
    assert isinstance(mapping, Mapping)
    assert mapping.sources["shop"].path == tmp_path / "customers.csv"


def test_latin1_mapping_is_a_config_error(tmp_path: Path) -> None:
    """Found by ``test_arbitrary_bytes``: a file that is not UTF-8 raised UnicodeDecodeError."""
    error = _load(tmp_path, "version: 1\nsources: {caf\xe9: 1}\n".encode("latin-1"))
    assert isinstance(error, ConfigError) and "utf-8" in str(error)
