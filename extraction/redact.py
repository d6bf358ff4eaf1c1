"""Personal data out of the rejects file: pseudonyms or placeholders instead of raw values.

Pseudonymisation used to stop at the graph: a phone number that failed to clean went verbatim
into ``rejects.csv`` (the demo's held hundreds). A rejects row only needs the record, field and
reason to be fixed at the source, so the text of a personal field is replaced, in two passes:

1. **By column**: a value in a column the mapping pseudonymises, or cleans as e-mail, phone,
   card, IP, address or name, becomes its pseudonym (the same token the graph holds, so the
   reject can be matched to a node) when it cleans on its own, else ``[redacted <kind>]``; a
   column the mapping does not read but whose name says it is personal (``ship_name``,
   ``contact_email``) becomes ``[redacted]``.
2. **By shape**, over every text column, whatever the mapping says: anything that looks like an
   e-mail, an IP address, a card number (13-19 digits) or a phone number (7-15 digits) becomes
   ``[email]``, ``[ip]``, ``[card]`` or ``[phone]``. This catches a raw CSV line that could not
   be split into columns, a personal value in a column the mapping does not read, and a value
   a cleaner echoed into its reason. Dates and times are left alone.

Over-redaction (a long order number read as a phone) costs a little debugging; under-redaction
leaks a customer, so the patterns lean wide.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from extraction.mapping import FieldSpec, Mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.values import clean

PERSONAL_TYPES = frozenset({"email", "phone", "card", "ip", "address", "name"})

_EMAIL = re.compile(r"[\w.+'%-]+@[\w-]+(?:\.[\w-]+)+")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
# A run of digits with the separators phones and cards are written with, ending at a non-word
# character (so a digit run inside a token or an id such as "C0001234567" never matches).
_DIGIT_RUN = re.compile(r"(?<![\w.])\+?\(?\d[\d ().-]*\d(?!\w)")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2})?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_TEMPLATE = re.compile(r"\{([^{}]+)\}")
# Columns a mapping does not read can still hold personal data (a shipping name, a contact
# e-mail the mapping skips): judged by their name, as a person reading the export would.
_PERSONAL_NAME = re.compile(
    r"(^|_)(name|first|last|surname|e?mail|phone|mobile|tel|street|address|addr|city|postcode"
    r"|zip|card|card_number|iban|ip|ip_address)(_|$)",
    re.IGNORECASE,
)


def _ip(match: re.Match[str]) -> str:
    try:
        ipaddress.ip_address(match.group())
    except ValueError:
        return match.group()  # "12:30:00", "1.2.3.999": not an address
    return "[ip]"


def _epoch(text: str) -> bool:
    """Unix seconds or milliseconds of 2001-2033 (``1`` then 9 or 12 digits, no separators),
    as JSON exports write dates: no national phone number starts with 1 in North America, and
    no common card network uses a leading 1, so leaving these readable costs little."""
    return text.isdigit() and len(text) in (10, 13) and text[0] == "1"


def _digits(match: re.Match[str]) -> str:
    text = match.group()
    n = sum(c.isdigit() for c in text)
    if _DATE.fullmatch(text.strip()) or _epoch(text):
        return text
    if 13 <= n <= 19:
        return "[card]"
    if 7 <= n <= 15:
        return "[phone]"
    return text


def scrub(text: str) -> str:
    """``text`` with everything that looks like an e-mail, IP, card or phone replaced."""
    text = _EMAIL.sub("[email]", text)
    text = _IPV4.sub(_ip, text)
    text = _IPV6.sub(_ip, text)
    return _DIGIT_RUN.sub(_digits, text)


def _leaf(column: str) -> str:
    return column.rsplit(".", 1)[-1]


def _columns(spec: FieldSpec) -> list[str]:
    cols = [spec.field] if spec.field else []
    cols += list((spec.components or {}).values())
    cols += _TEMPLATE.findall(spec.template or "")
    return [_leaf(c) for c in cols]


def _specs(mapping: Mapping) -> list[FieldSpec]:
    out: list[FieldSpec] = []
    for source in mapping.sources.values():
        for node in source.nodes.values():
            out += [node.key, *node.props.values(), *node.profile.values()]
        for rel in source.relationships:
            out += rel.props.values()
    return out


@dataclass(frozen=True)
class Redactor:
    """What to redact in rejects rows: personal columns (by leaf name, across all sources of a
    mapping: a column name that is personal in one source is treated so everywhere)."""

    personal: dict[str, FieldSpec] = field(default_factory=dict)
    pseudonymiser: Pseudonymiser | None = None

    @classmethod
    def from_mapping(cls, mapping: Mapping, pseudonymiser: Pseudonymiser | None) -> Redactor:
        personal: dict[str, FieldSpec] = {}
        for spec in _specs(mapping):
            if spec.pseudonymise or spec.type in PERSONAL_TYPES:
                for col in _columns(spec):
                    # A pseudonymising spec wins: it is the one that can give the graph's token.
                    if col not in personal or (spec.pseudonymise and spec.field):
                        personal[col] = spec
        return cls(personal, pseudonymiser)

    def value(self, spec: FieldSpec, raw: str) -> str:
        """The graph's token for ``raw`` when it cleans on its own, else a placeholder."""
        kind = spec.pseudonymise or spec.type
        if spec.pseudonymise and spec.field and self.pseudonymiser is not None:
            alone = FieldSpec(field="v", type=spec.type, pseudonymise=spec.pseudonymise)
            try:
                token = clean(alone, {"v": raw}, self.pseudonymiser)
            except Exception:  # any cleaner failure means "no token": redact
                token = None
            if isinstance(token, str):
                return token
        return f"[redacted {kind}]"

    def field_value(self, field_name: str, raw: str) -> str:
        """A dropped value of ``field_name`` (one column, "a,b,c" components or a template)."""
        names = [_leaf(c) for c in field_name.split(",")] + _TEMPLATE.findall(field_name)
        for name in names:
            spec = self.personal.get(_leaf(name.strip()))
            if spec is not None and raw not in ("", "None"):
                return self.value(spec, raw)
        return raw

    def in_record(self, raw: str) -> str:
        """Every ``"column": value`` pair of a personal column in a JSON record (also one cut
        short by the rejects' length limit) with its value replaced."""
        if not self.personal or '"' not in raw:
            return raw
        return _PAIR.sub(self._pair, raw)

    def _pair(self, match: re.Match[str]) -> str:
        key = match.group("key")
        spec = self.personal.get(key)
        value = match.group("str") if match.group("str") is not None else match.group("num")
        if value is None or value in ("", "null"):
            return match.group()
        if spec is not None:
            return f'"{key}": "{self.value(spec, value)}"'
        if _PERSONAL_NAME.search(key):
            return f'"{key}": "[redacted]"'
        return match.group()


# "key": "string value" (possibly unterminated at the cut) or "key": 12345 (a number).
_PAIR = re.compile(r'"(?P<key>[^"\\]+)"\s*:\s*(?:"(?P<str>(?:[^"\\]|\\.)*)"?|(?P<num>-?[\d.eE+]+))')
