"""The mapping file: how a user's own tables become nodes and relationships, without code.

A mapping names sources (a CSV, JSON-lines or Parquet file), and for each the nodes it yields
(label, key, properties) and the relationships between them. Values go through typed cleaners
(dates → UTC, money, phones → E.164, emails, names, addresses) and, for personal identifiers,
through keyed pseudonymisation, so the built-in platforms and a user's data follow one path.

Example::

    version: 1
    sources:
      shop_customers:
        path: raw/webshop/customers.csv
        record_id: customer_id
        nodes:
          user: {label: User, key: "webshop:{customer_id}",
                 props: {created_at: {field: signup_date, type: datetime}}}
          email: {label: Email, key: {field: email, type: email, pseudonymise: email},
                  optional: true}
        relationships:
          - {type: HAS_EMAIL, from: user, to: email}
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cartograph.errors import ConfigError, SchemaError
from graph.records import check_identifier

ValueType = Literal[
    "str",
    "int",
    "float",
    "bool",
    "datetime",
    "money",
    "phone",
    "email",
    "name",
    "address",
    "ip",
    "card",
    "text",
    "list",
]
Format = Literal["csv", "jsonl", "parquet"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _identifier(name: str, what: str) -> str:
    """``check_identifier`` as a ValueError, so pydantic names the file and entry."""
    try:
        return check_identifier(name, what)
    except SchemaError as exc:
        raise ValueError(str(exc)) from None


class FieldSpec(_Strict):
    """Where a value comes from and how it is cleaned. A bare string is shorthand: ``"col"`` reads
    a column, ``"web:{id}"`` fills a template from columns."""

    field: str | None = None
    template: str | None = None
    # Several columns read as one structured value (e.g. an address from street/city/postcode).
    components: dict[str, str] | None = None
    type: ValueType = "str"
    pseudonymise: str | None = None
    # Keys are always required; a property is required only when it says so. A missing or
    # unreadable optional property is dropped and noted in the rejects file as a field issue.
    required: bool = False
    default: Any = None
    region_field: str | None = None  # phones: column holding the country for local numbers
    default_region: str | None = None
    currency_field: str | None = None  # money: column holding the currency code
    default_currency: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"template": value} if "{" in value else {"field": value}
        return value

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        given = [x for x in (self.field, self.template, self.components) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'field', 'template' or 'components'")
        return self


class NodeSpec(_Strict):
    label: str
    key: FieldSpec
    props: dict[str, FieldSpec] = Field(default_factory=dict)
    # Values kept in memory for entity resolution and never written to the graph.
    profile: dict[str, FieldSpec] = Field(default_factory=dict)
    # Optional nodes are skipped (with their relationships) when the key is empty or invalid.
    optional: bool = False

    @field_validator("label")
    @classmethod
    def _label(cls, v: str) -> str:
        return _identifier(v, "label")

    @field_validator("props")
    @classmethod
    def _props(cls, v: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        for name in v:
            _identifier(name, "property")
        return v


class Condition(_Strict):
    """Keep a relationship only for rows whose ``field`` is one of ``values`` (event types)."""

    field: str
    values: list[str]


class RelSpec(_Strict):
    type: str
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    props: dict[str, FieldSpec] = Field(default_factory=dict)
    when: Condition | None = None

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        return _identifier(v, "relationship type")


class SourceSpec(_Strict):
    path: Path
    format: Format | None = None
    # CSV dialect: the delimiter is sniffed from the header line unless given (",", ";", tab or
    # "|"); quote character and encoding default to RFC 4180 and UTF-8.
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    quotechar: str = Field(default='"', min_length=1, max_length=1)
    encoding: str = "utf-8"
    record_id: str | None = None
    # A list-valued field (e.g. nested order items) whose elements each become a row; the
    # parent's fields stay readable as ``parent.<name>``.
    explode: str | None = None
    dedupe: bool = True
    nodes: dict[str, NodeSpec]
    relationships: list[RelSpec] = Field(default_factory=list)

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v: str) -> str:
        try:
            codecs.lookup(v)
        except LookupError:
            raise ValueError(f"unknown encoding {v!r}") from None
        return v

    @model_validator(mode="after")
    def _aliases(self) -> SourceSpec:
        for rel in self.relationships:
            for alias in (rel.start, rel.end):
                if alias not in self.nodes:
                    raise ValueError(f"relationship {rel.type} names unknown node {alias!r}")
        return self

    def columns(self) -> set[str]:
        """Every top-level column this source's mapping reads: checked against the file's header
        before any row is read, so a misspelt column is one clear error, not a file of rejects."""
        specs: list[FieldSpec] = []
        for node in self.nodes.values():
            specs += [node.key, *node.props.values(), *node.profile.values()]
        for rel in self.relationships:
            specs += rel.props.values()
        if self.explode is not None:  # fields are read from the list's elements, not the header
            return {self.explode.split(".")[0]}
        names = {c for s in specs for c in _spec_columns(s)}
        names |= {r.when.field for r in self.relationships if r.when is not None}
        names |= {self.record_id} if self.record_id else set()
        return {n.split(".")[0] for n in names}  # "a.b" reads column a (nested values)

    @property
    def resolved_format(self) -> Format:
        if self.format:
            return self.format
        suffix = self.path.suffix.lower()
        known: dict[str, Format] = {
            ".csv": "csv",
            ".jsonl": "jsonl",
            ".ndjson": "jsonl",
            ".json": "jsonl",
            ".parquet": "parquet",
        }
        if suffix not in known:
            raise ConfigError(f"cannot tell the format of {self.path}; set 'format'", code="E104")
        return known[suffix]


def _spec_columns(spec: FieldSpec) -> list[str]:
    cols = [c for c in (spec.field, spec.region_field, spec.currency_field) if c]
    cols += list((spec.components or {}).values())
    cols += re.findall(r"\{([^{}]+)\}", spec.template or "")
    return cols


class Mapping(_Strict):
    version: Literal[1] = 1
    sources: dict[str, SourceSpec]


def load_mapping(path: Path, data_dir: Path | None = None) -> Mapping:
    """Parse and validate a mapping file; relative source paths resolve against ``data_dir``
    (default: the mapping file's folder). Errors name the offending entry."""
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:  # not UTF-8: a read error too
        raise ConfigError(f"cannot read mapping {path}: {exc}", code="E103") from exc
    try:
        mapping = Mapping.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid mapping {path}: {problems}", code="E103") from exc
    base = data_dir if data_dir is not None else path.parent
    sources = {
        name: s.model_copy(update={"path": s.path if s.path.is_absolute() else base / s.path})
        for name, s in mapping.sources.items()
    }
    return mapping.model_copy(update={"sources": sources})
