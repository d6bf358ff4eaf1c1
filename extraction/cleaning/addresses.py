"""Postal addresses to components and one canonical string, so variants of an address meet.

A shared delivery address links accounts, but the same flat arrives as "221b Baker St., London"
from one platform and "221B BAKER STREET, NW1 6XE" from another. The parser is deliberately
pragmatic, not a full address grammar: it handles comma-separated lines in UK, continental and US
order, expands common abbreviations and casefolds, which is enough for variants to hash equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass

_COUNTRIES = {
    alias: code
    for code, aliases in {
        "GB": "gb|uk|united kingdom|great britain|britain|england|scotland|wales|northern ireland",
        "DE": "de|germany|deutschland",
        "FR": "fr|france",
        "IT": "it|italy|italia",
        "US": "us|usa|united states|united states of america|america",
        "NL": "nl|netherlands|the netherlands|nederland|holland",
        "ES": "es|spain|españa|espana",
        "BE": "be|belgium|belgique|belgië|belgie",
        "AT": "at|austria|österreich|osterreich",
        "CH": "ch|switzerland|schweiz|suisse|svizzera",
        "IE": "ie|ireland|éire|eire",
        "PL": "pl|poland|polska",
        "PT": "pt|portugal",
        "SE": "se|sweden|sverige",
        "DK": "dk|denmark|danmark",
        "NO": "no|norway|norge",
        "FI": "fi|finland|suomi",
        "CA": "ca|canada",
        "AU": "au|australia",
    }.items()
    for alias in aliases.split("|")
}

_POSTCODES = {
    "GB": r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}",
    "NL": r"[0-9]{4} ?[A-Z]{2}",
    "CA": r"[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]",
    "IE": r"[A-Z][0-9][0-9W] ?[A-Z0-9]{4}",
    "US": r"[0-9]{5}(?:-[0-9]{4})?",
    "PL": r"[0-9]{2}-[0-9]{3}",
    "PT": r"[0-9]{4}-[0-9]{3}",
    "SE": r"[0-9]{3} ?[0-9]{2}",
    **dict.fromkeys(("DE", "FR", "IT", "ES", "FI"), r"[0-9]{5}"),
    **dict.fromkeys(("AT", "BE", "CH", "DK", "NO", "AU"), r"[0-9]{4}"),
}
# Shapes distinctive enough to name the country when the address itself does not.
_DISTINCTIVE = ("GB", "NL", "CA", "IE")
_GENERIC = r"[0-9]{4,5}|[0-9]{2,4}-[0-9]{3,4}|[0-9]{3} [0-9]{2}"
# Where the inward/second part starts, for countries written with one space.
_SPLIT_AT = {"GB": -3, "CA": 3, "IE": 3, "NL": 4}
_STATE_COUNTRIES = frozenset({"US", "CA", "AU"})

_STREET_ABBREVIATIONS = """
rd=road ave=avenue av=avenue blvd=boulevard bd=boulevard ln=lane dr=drive ct=court pl=place
sq=square cres=crescent tce=terrace terr=terrace hwy=highway pkwy=parkway cl=close gdns=gardens
str=strasse n=north s=south e=east w=west ne=northeast nw=northwest se=southeast sw=southwest
"""
_STREET_WORDS = dict(pair.split("=") for pair in _STREET_ABBREVIATIONS.split())
_DIRECTIONS = frozenset(
    {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"}
)
_UNIT_WORDS = r"flat|apt|apartment|unit|suite|ste|#"
# A unit id has a digit or is one letter, so "12 Flat Lane" keeps its street.
_UNIT_ID = r"[0-9][0-9a-z-]*|[a-z]"
_UNIT = re.compile(rf"(?:{_UNIT_WORDS})\s*(?P<id>{_UNIT_ID})", re.ASCII)
_TRAILING_UNIT = re.compile(
    rf"(?P<rest>.*[^\W\d_].*?)\s+(?P<unit>(?:{_UNIT_WORDS})\s*(?:{_UNIT_ID}))"
)
_NUMBER = r"[0-9]+[a-z]?(?:\s?[-/]\s?[0-9]+[a-z]?)?"
_LEADING_NUMBER = re.compile(rf"(?P<num>{_NUMBER})\s+(?P<street>.*[^\W\d_].*)")
_TRAILING_NUMBER = re.compile(rf"(?P<street>.*[^\W\d_].*?)\s+(?P<num>{_NUMBER})")
_JUNK = " -/#"  # never part of a street name at either end
_FIELDS = ("street", "house_number", "postcode", "city", "country", "unit")
_ALIASES = {
    **dict.fromkeys(("number", "house_no"), "house_number"),
    **dict.fromkeys(("postal_code", "post_code", "zip", "zipcode"), "postcode"),
    **dict.fromkeys(("town", "locality"), "city"),
    **dict.fromkeys(("line1", "address1", "address_line1"), "street"),
    **dict.fromkeys(("flat", "apartment"), "unit"),
    "country_code": "country",
}
_IGNORED = frozenset({"state", "region", "county", "province"})
_MAX_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Address:
    """Normalised components (casefolded text, formatted postcode, ISO alpha-2 country or "")."""

    street: str
    house_number: str
    postcode: str
    city: str
    country: str
    unit: str = ""

    def canonical(self) -> str:
        """The hashing key: every component, postcode without spaces, in a fixed order."""
        return "|".join(
            (
                self.country,
                self.postcode.replace(" ", ""),
                self.city,
                self.street,
                self.house_number,
                self.unit,
            )
        )

    def __str__(self) -> str:
        """One readable line that ``normalise_address`` parses back to this address."""
        street = " ".join(part for part in (self.house_number, self.street) if part)
        place = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.unit, street, place, self.country) if part)


def normalise_address(value: object, default_country: str | None = None) -> Address:
    """An ``Address`` from one free-text line, a mapping of components or an ``Address``.

    ``default_country`` applies only when the value names no country; it may be a code or a name.
    """
    default = _country(default_country) if default_country else ""
    if isinstance(value, Address):
        value = asdict(value)
    if isinstance(value, Mapping):
        return _from_mapping(value, default)
    if not isinstance(value, str):
        raise ValueError(f"cannot read an address from {type(value).__name__}")
    return _from_line(value, default)


def _from_line(text: str, default: str) -> Address:
    """Split on commas: [unit,] street, [district,] city/postcode segments, [country]."""
    if len(text) > _MAX_LENGTH:
        raise ValueError("address too long")
    segments = [" ".join(seg.split()) for seg in re.split(r"[,;\n]", _clean(text))]
    segments = [seg for seg in segments if seg]
    if not segments:
        raise ValueError("empty address")
    country = default
    # Both spellings of the last segment: "U.S.A." needs dots dropped, "united.kingdom" spaced.
    keys = (_country_key(segments[-1]).strip(_JUNK), _words(segments[-1]).strip(_JUNK))
    last = next((key for key in keys if key in _COUNTRIES), keys[0])
    if last in _COUNTRIES or (default and last.upper() == default):
        if len(segments) == 1:
            raise ValueError("address names only a country")
        country = _COUNTRIES.get(last, default)
        segments.pop()
    unit = ""
    if len(segments) > 1 and _UNIT.fullmatch(_words(segments[0])):
        unit = segments.pop(0)
    street, rest = segments[0], segments[1:]
    postcode, city = "", ""
    for index in reversed(range(len(rest))):
        found = _find_postcode(rest[index], country)
        if found is not None:
            postcode, city, country = found
            del rest[index]
            break
    if not city and rest:
        city = rest[-1]
    return _build(street, "", postcode, city, country, unit)


def _from_mapping(value: Mapping[object, object], default: str) -> Address:
    parts = dict.fromkeys(_FIELDS, "")
    for key, raw in value.items():
        name = _ALIASES.get(str(key).lower(), str(key).lower())
        if name in _IGNORED:
            continue
        if name not in parts:
            raise ValueError(f"unknown address field {str(key)[:40]!r}")
        parts[name] = "" if raw is None else " ".join(_clean(str(raw)).split())
    country = _country(parts["country"]) if parts["country"] else default
    postcode = parts["postcode"]
    if postcode:
        found = _find_postcode(postcode, country, whole=True)
        if found is None:
            raise ValueError(f"postcode {postcode[:20]!r} does not fit country {country!r}")
        postcode, _, country = found
    return _build(
        parts["street"], parts["house_number"], postcode, parts["city"], country, parts["unit"]
    )


def _find_postcode(
    segment: str, country: str, *, whole: bool = False
) -> tuple[str, str, str] | None:
    """(postcode, city, country) if the segment is, starts with or ends with a postcode."""
    if country in _POSTCODES:
        candidates = [(country, _POSTCODES[country])]
    elif country:
        candidates = [(country, _GENERIC)]
    else:
        candidates = [(code, _POSTCODES[code]) for code in _DISTINCTIVE] + [("", _GENERIC)]
    text = _words(segment)
    for code, pattern in candidates:
        shapes = [rf"(?P<pc>{pattern})"]
        if not whole:
            shapes += [rf"(?P<pc>{pattern})\s+(?P<city>.+)", rf"(?P<city>.+?)\s+(?P<pc>{pattern})"]
        for shape in shapes:
            match = re.fullmatch(shape, text, re.ASCII | re.IGNORECASE)
            if match:
                city = match.groupdict().get("city") or ""
                if code in _STATE_COUNTRIES and re.fullmatch(r"[A-Za-z]{2,3}", city):
                    city = ""  # "DC 20500": a state, not a city
                return _format_postcode(match["pc"].upper(), code), city, code
    return None


def _format_postcode(postcode: str, country: str) -> str:
    compact = postcode.replace(" ", "")
    if country in _SPLIT_AT:
        at = _SPLIT_AT[country]
        return f"{compact[:at]} {compact[at:]}"
    return compact if country == "SE" else postcode


def _build(street: str, number: str, postcode: str, city: str, country: str, unit: str) -> Address:
    """Normalise the free-text components, splitting a unit and house number off the street.

    The unit is tried again after the number comes off ("Main St #4 12"), so that no unit or
    number is ever left at the end of a normalised street: that keeps re-normalising a no-op.
    """
    street, unit = _words(street).strip(_JUNK), _words(unit)
    number = re.sub(r"\s+", "", number.casefold())
    if not unit:
        street, unit = _split_unit(street)
    if not number:
        match = _LEADING_NUMBER.fullmatch(street) or _TRAILING_NUMBER.fullmatch(street)
        if match:
            street, number = match["street"].strip(_JUNK), re.sub(r"\s+", "", match["num"])
            if not unit:
                street, unit = _split_unit(street)
    street = _expand_street(street)
    if not any(ch.isalpha() for ch in street):
        raise ValueError("address has no street name")
    return Address(street, number, postcode, _expand_city(_words(city)), country, _unit(unit))


def _split_unit(street: str) -> tuple[str, str]:
    match = _TRAILING_UNIT.fullmatch(street)
    return (match["rest"].strip(_JUNK), match["unit"]) if match else (street, "")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u2019", "'")


def _words(text: str) -> str:
    """Casefold, drop apostrophes, turn dots into spaces and collapse whitespace."""
    return " ".join(text.casefold().replace("'", "").replace(".", " ").split())


def _expand_street(street: str) -> str:
    """Expand street-type abbreviations; "st" is Street at the end and Saint elsewhere."""
    words = street.split()
    out = []
    for i, word in enumerate(words):
        if word == "st":
            tail = [_STREET_WORDS.get(w, w) for w in words[i + 1 :]]
            out.append("street" if all(w in _DIRECTIONS for w in tail) else "saint")
        elif word in _STREET_WORDS:
            out.append(_STREET_WORDS[word])
        elif len(word) > 3 and word.endswith("str"):
            out.append(word + "asse")
        else:
            out.append(word)
    return " ".join(out)


def _expand_city(city: str) -> str:
    words = city.split()
    if words and words[0] == "st":
        words[0] = "saint"
    return " ".join(words)


def _unit(unit: str) -> str:
    """Flat, apartment, suite and "#" all name the same thing; "unit <id>" is the one spelling."""
    if not unit:
        return ""
    match = _UNIT.fullmatch(unit)
    if match:
        return f"unit {match['id']}"
    return unit if unit.startswith("unit ") else f"unit {unit}"


def _country_key(text: str) -> str:
    return " ".join(text.casefold().replace(".", "").replace("'", "").split())


def _country(name: str) -> str:
    """A country name or code as ISO alpha-2; unknown two-letter codes are trusted as codes."""
    key = _country_key(name)
    if key in _COUNTRIES:
        return _COUNTRIES[key]
    if re.fullmatch(r"[a-z]{2}", key):
        return key.upper()
    raise ValueError(f"unknown country {name[:40]!r}")


def country_code(name: str) -> str:
    """Public form of the country lookup, for other cleaners (phone regions) to share one table."""
    return _country(name)
