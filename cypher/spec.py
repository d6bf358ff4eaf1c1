"""The machine-readable header of a named query: purpose, typed parameters, returned columns.

A query file stays runnable as-is in Neo4j Browser, so its contract lives in ``//`` comments:

    // Purpose: what the query answers (may continue on following comment lines).
    // Param: min_users int = 3 in 2..1000 -- what the parameter means
    // Param: identifier string -- a parameter without a default is required
    // Example: :params {min_users: 3}
    // Returns: identifier, kind, users

The HTTP layer type-checks caller parameters against this spec before anything reaches Neo4j,
and the integration test checks each query's columns against ``Returns``; one header, no second
registry to keep in sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import cypher

TYPES = ("int", "float", "string", "bool", "datetime", "list")
ParamValue = int | float | str | bool | datetime | list[object]

_PARAM = re.compile(
    r"^(?P<name>[a-z_][a-z0-9_]*) (?P<type>[a-z]+)"
    r"(?: = (?P<default>'[^']*'|\S+))?"
    r"(?: in (?P<lo>-?[0-9.]+)\.\.(?P<hi>-?[0-9.]+))?"
    r"(?: -- (?P<doc>.*))?$"
)
_KEYS = ("Purpose", "Param", "Example", "Returns", "Parameters")


class SpecError(ValueError):
    """A query header is malformed (a bug in a ``.cypher`` file) or a value does not fit it."""


@dataclass(frozen=True)
class ParamSpec:
    """One ``$parameter``: its type, default (``None`` means required) and inclusive bounds."""

    name: str
    type: str
    default: ParamValue | None = None
    minimum: float | None = None
    maximum: float | None = None
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class QuerySpec:
    """A named query with its text and the contract parsed from its header."""

    name: str
    purpose: str
    params: tuple[ParamSpec, ...]
    returns: tuple[str, ...]
    example: str
    text: str = field(repr=False)


def parse(name: str, text: str) -> QuerySpec:
    """Parse the header of one query file; raise ``SpecError`` on a malformed line."""
    fields: dict[str, list[str]] = {k: [] for k in _KEYS}
    last = ""
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        body = line[2:].strip()
        key, sep, rest = body.partition(":")
        if sep and key in _KEYS:
            last = key
            fields[key].append(rest.strip())
        elif last == "Purpose":  # a purpose may wrap onto further comment lines
            fields["Purpose"][-1] += " " + body
    if not fields["Purpose"]:
        raise SpecError(f"{name}: the header has no '// Purpose:' line")
    params = tuple(_param(name, p) for p in fields["Param"])
    returns = tuple(c.strip() for r in fields["Returns"] for c in r.split(",") if c.strip())
    return QuerySpec(
        name=name,
        purpose=fields["Purpose"][0],
        params=params,
        returns=returns,
        example=fields["Example"][0] if fields["Example"] else "",
        text=text,
    )


def _param(query: str, line: str) -> ParamSpec:
    m = _PARAM.match(line)
    if m is None or m["type"] not in TYPES:
        raise SpecError(f"{query}: cannot parse parameter line {line!r}")
    default = None if m["default"] is None else _literal(m["type"], m["default"])
    lo, hi = (None if v is None else float(v) for v in (m["lo"], m["hi"]))
    return ParamSpec(m["name"], m["type"], default, lo, hi, (m["doc"] or "").strip())


def _literal(type_: str, raw: str) -> ParamValue:
    if raw.startswith("'") and raw.endswith("'"):
        raw = raw[1:-1]
    try:
        if type_ == "int":
            return int(raw)
        if type_ == "float":
            return float(raw)
    except ValueError as exc:
        raise SpecError(f"default {raw!r} is not a {type_}") from exc
    if type_ == "bool":
        return raw == "true"
    return coerce(ParamSpec("default", type_), raw)


def coerce(spec: ParamSpec, value: object) -> ParamValue:
    """The value as the spec's Python type, or ``SpecError`` saying why not. Strings are not
    converted to numbers and numbers not to strings: a caller's type mistake stays visible."""
    if spec.type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpecError(f"{spec.name} must be an integer")
        out: ParamValue = value
    elif spec.type == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SpecError(f"{spec.name} must be a number")
        out = float(value)
    elif spec.type == "bool":
        if not isinstance(value, bool):
            raise SpecError(f"{spec.name} must be true or false")
        out = value
    elif spec.type == "datetime":
        out = _datetime(spec, value)
    elif spec.type == "list":
        if not isinstance(value, list):
            raise SpecError(f"{spec.name} must be a list")
        out = value
    else:
        if not isinstance(value, str):
            raise SpecError(f"{spec.name} must be a string")
        out = value
    _check_bounds(spec, out)
    return out


def _datetime(spec: ParamSpec, value: object) -> datetime:
    if not isinstance(value, str):
        raise SpecError(f"{spec.name} must be an ISO-8601 date-time string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise SpecError(f"{spec.name} must be an ISO-8601 date-time string") from exc
    if parsed.tzinfo is None:
        raise SpecError(f"{spec.name} needs a time zone (e.g. '2025-06-01T00:00:00Z')")
    return parsed


def _check_bounds(spec: ParamSpec, value: ParamValue) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    if spec.minimum is not None and value < spec.minimum:
        raise SpecError(f"{spec.name} must be >= {spec.minimum:g}")
    if spec.maximum is not None and value > spec.maximum:
        raise SpecError(f"{spec.name} must be <= {spec.maximum:g}")


def bind(spec: QuerySpec, given: dict[str, object]) -> dict[str, ParamValue]:
    """Every declared parameter bound to a checked value: unknown or missing names are errors,
    defaults fill the rest. Values only ever travel as ``$parameters``."""
    declared = {p.name: p for p in spec.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise SpecError(f"unknown parameter(s) for {spec.name}: {', '.join(unknown)}")
    out: dict[str, ParamValue] = {}
    for p in spec.params:
        if p.name in given:
            out[p.name] = coerce(p, given[p.name])
        elif p.default is not None:
            out[p.name] = p.default
        else:
            raise SpecError(f"missing required parameter {p.name!r} ({p.type})")
    return out


def catalogue(folder: str = "queries") -> dict[str, QuerySpec]:
    """Every query in ``cypher/<folder>/`` by its short name (``shared_identifier_rings``)."""
    return {
        n.split("/", 1)[1]: parse(n.split("/", 1)[1], cypher.load(n)) for n in cypher.names(folder)
    }
