"""Raw checkout values → the graph's pseudonymous keys, exactly as ingestion makes them.

The mapping file says how each identifier is cleaned (Luhn-checked card digits, compressed IP,
normalised e-mail and postal address) and which pseudonym kind it gets; this module reuses those
field specs and ``extraction.values.clean`` with the ingestion ``Pseudonymiser`` (the same
secret), so a card typed at checkout becomes the very ``card:…`` key its earlier orders carry.
Raw values never leave this module; it takes plain values, so any front end (HTTP, a stream)
can use it.
"""

from __future__ import annotations

from typing import Any

from cartograph.errors import InvalidInputError
from extraction.cleaning.addresses import country_code
from extraction.mapping import FieldSpec, Mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.values import clean

LABELS = ("Card", "Device", "IP", "Address", "Email")


def identifier_specs(mapping: Mapping) -> dict[str, FieldSpec]:
    """Per identifier label, the first pseudonymised key spec in the mapping (order sources
    first, since that is where a checkout's identifiers come from)."""
    sources = sorted(
        mapping.sources.values(),
        key=lambda s: not any(n.label == "Order" for n in s.nodes.values()),
    )
    out: dict[str, FieldSpec] = {}
    for source in sources:
        for node in source.nodes.values():
            if node.label in LABELS and node.key.pseudonymise and node.label not in out:
                out[node.label] = node.key
    return out


def _put(row: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        row = row.setdefault(part, {})
    row[last] = value


def _row(spec: FieldSpec, value: Any) -> dict[str, Any]:
    """A source row holding ``value`` where ``spec`` reads it."""
    row: dict[str, Any] = {}
    if spec.components is not None and isinstance(value, dict):
        for name, column in spec.components.items():
            if name in value:
                _put(row, column, value[name])
    elif spec.field is not None:
        _put(row, spec.field, value)
    return row


class CheckoutCleaner:
    """Cleans and pseudonymises a checkout's raw identifiers with the ingestion mapping."""

    def __init__(self, mapping: Mapping, pseudonymiser: Pseudonymiser) -> None:
        self.specs = identifier_specs(mapping)
        self.pseudonymiser = pseudonymiser

    def key(self, label: str, value: Any) -> str | None:
        """The pseudonymous key of one raw value of an identifier label (``Card``, ``Device``,
        ``IP``, ``Email``; ``Address`` takes a dict of street, city, postcode, country).
        ``None`` when not given; ``InvalidInputError`` when the value cannot be read (a card
        number failing Luhn, a malformed address)."""
        spec = self.specs.get(label)
        if value is None or spec is None:
            return None
        try:
            out = clean(spec, _row(spec, value), self.pseudonymiser)
        except ValueError as exc:
            raise InvalidInputError(f"{label.lower()}: {exc}") from None
        return None if out is None else str(out)

    def country(self, name: str) -> str:
        """A checkout's country as ISO alpha-2, from a code or a name, with ingestion's table:
        "Spain" is accepted here because the loader accepted it in the exports."""
        try:
            return country_code(name)
        except ValueError as exc:
            raise InvalidInputError(f"address.country: {exc}") from None
