"""Turn one raw field into a clean graph value, by the type the mapping gives it.

Every cleaner raises ``ValueError`` with a short reason on input it cannot interpret; the caller
turns that into a rejects row naming the record and the field. Personal identifiers are
pseudonymised right here, so a raw value never leaves this function when the mapping says so.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from extraction.cleaning.addresses import country_code, normalise_address
from extraction.cleaning.dates import to_utc
from extraction.cleaning.emails import normalise_email
from extraction.cleaning.money import Money, parse_money
from extraction.cleaning.names import normalise_name
from extraction.cleaning.phones import to_e164
from extraction.mapping import FieldSpec
from extraction.pseudonymise import Pseudonymiser

_SLOT = re.compile(r"\{([^{}]+)\}")
_SPACES = re.compile(r"\s+")
MISSING = object()


def lookup(row: dict[str, Any], path: str) -> Any:
    """``row["a"]["b"]`` for ``"a.b"``; ``MISSING`` when any step is absent."""
    value: Any = row
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _blank(value: Any) -> bool:
    return value is MISSING or value is None or (isinstance(value, str) and not value.strip())


def raw_value(spec: FieldSpec, row: dict[str, Any]) -> Any:
    """The uncleaned value: a column, or a template filled from columns (MISSING if any is)."""
    if spec.field is not None:
        return lookup(row, spec.field)
    if spec.components is not None:
        found = {name: lookup(row, col) for name, col in spec.components.items()}
        present = {k: v for k, v in found.items() if not _blank(v)}
        return present or MISSING
    parts: list[str] = []
    pos = 0
    template = spec.template or ""
    for match in _SLOT.finditer(template):
        value = lookup(row, match.group(1))
        if _blank(value):
            return MISSING
        parts += [template[pos : match.start()], str(value).strip()]
        pos = match.end()
    return "".join([*parts, template[pos:]])


def _card(value: Any) -> str:
    digits = re.sub(r"[\s-]", "", str(value))
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise ValueError("card number must be 12-19 digits")
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    if total % 10:
        raise ValueError("card number fails the Luhn check")
    return digits


def _bool(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "t"}:
        return True
    if text in {"0", "false", "no", "n", "f"}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


INT64 = 2**63 - 1  # Neo4j stores 64-bit integers; a bigger one would fail a whole batch


def _int(value: Any) -> int:
    try:
        number = int(float(str(value).strip()))
    except OverflowError:  # "inf", "1e400": an input problem like any other unreadable number
        raise ValueError(f"not a finite number: {value!r}") from None
    if not -INT64 - 1 <= number <= INT64:
        raise ValueError("integer outside the 64-bit range Neo4j stores")
    return number


def _list(value: Any) -> list[Any]:
    """Neo4j list properties hold one primitive type and no nulls; anything else would fail the
    whole batch at write time, so it is rejected here, per record."""
    items = list(value) if isinstance(value, list | tuple) else [value]
    kinds = {bool if isinstance(v, bool) else float if isinstance(v, int | float) else type(v)
             for v in items}  # fmt: skip
    if not kinds <= {str} and not kinds <= {float} and not kinds <= {bool}:
        raise ValueError("list elements must be all strings, all numbers or all booleans")
    if any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > INT64 for v in items):
        raise ValueError("integer outside the 64-bit range Neo4j stores")
    return items


_SIMPLE: dict[str, Callable[[Any], Any]] = {
    "str": lambda v: _SPACES.sub(" ", str(v)).strip(),
    "text": lambda v: str(v).strip(),
    "int": _int,
    "float": lambda v: float(str(v).strip()),
    "bool": _bool,
    "datetime": to_utc,
    "email": normalise_email,
    "name": lambda v: normalise_name(v).full,
    "ip": lambda v: ipaddress.ip_address(str(v).strip()).compressed,
    "card": _card,
    "list": _list,
}


def _identifier(kind: str, value: Any, region: str | None) -> str:
    """A phone in E.164 or an address's canonical form. Parsing them is most of the cleaning's
    cost, and a mapping often reads one twice (a profile's phone and the Phone node's key), so
    results are remembered per input; an input that cannot be hashed is parsed each time."""
    # typed: 1, 1.0 and True are different inputs (a cleaner may accept one, reject another)
    frozen = tuple((k, type(v), v) for k, v in value.items()) if isinstance(value, dict) else value
    try:
        return _parsed(kind, frozen, region)
    except TypeError:  # a list or dict inside the value
        return _parse(kind, value, region)


@lru_cache(maxsize=2**16, typed=True)
def _parsed(kind: str, frozen: Any, region: str | None) -> str:
    value = {k: v for k, _, v in frozen} if isinstance(frozen, tuple) else frozen
    return _parse(kind, value, region)


def _parse(kind: str, value: Any, region: str | None) -> str:
    if kind == "phone":
        return to_e164(value, region)
    return normalise_address(value, region).canonical()


def clean(spec: FieldSpec, row: dict[str, Any], pseudonymiser: Pseudonymiser | None) -> Any:
    """The clean value of one field, ``None`` when absent; raises ``ValueError`` when unreadable."""
    value = raw_value(spec, row)
    if _blank(value):
        return spec.default
    if spec.type == "money":
        currency = lookup(row, spec.currency_field) if spec.currency_field else MISSING
        code = spec.default_currency if _blank(currency) else str(currency).strip()
        result: Any = parse_money(value, code)
    elif spec.type in ("phone", "address"):
        region = lookup(row, spec.region_field) if spec.region_field else MISSING
        region_code = spec.default_region if _blank(region) else country_code(str(region))
        result = _identifier(spec.type, value, region_code)
    else:
        result = _SIMPLE[spec.type](value)
    if spec.pseudonymise:
        if pseudonymiser is None:
            raise ValueError("pseudonymisation requested but no secret is configured")
        return pseudonymiser.token(spec.pseudonymise, str(result))
    return result


def as_properties(name: str, value: Any) -> dict[str, Any]:
    """Money becomes two properties (``price``, ``price_currency``); everything else one."""
    if isinstance(value, Money):
        return {name: float(value.amount), f"{name}_currency": value.currency}
    return {name: value}
