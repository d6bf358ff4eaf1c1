"""Account-holder profiles in a comparable form, and the field-by-field comparison of two of them.

The mapping engine already cleans each field (E.164 phones, normalised e-mails and addresses,
"Given Family" names), but two accounts of one person still differ: a nickname or initial, a
typo, a "+shop" tag on a non-Gmail mailbox, an address with the postcode or country missing.
This module turns one profile into folded parts and says, per field, whether two profiles
*agree*, *conflict* or *cannot tell* - the scorer in ``users`` weighs those outcomes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from extraction.cleaning import normalise_name
from extraction.resolve.lexicon import wordset
from extraction.resolve.nicknames import same_given_name

_GERMANIC = (("ue", "u"), ("oe", "o"), ("ae", "a"), ("ss", "s"))
_STREET_SUFFIX = re.compile(r"(strase|strasse|straat|str|street|st)\b")
_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")
# Words naming the kind of street, in the languages of the shops' markets; abbreviations that the
# address cleaner leaves alone ("c/" for calle) are listed as they come out of it.
_STREET_TYPES = wordset(
    "str road rd lane avenue ave av drive way close court place square boulevard c calle "
    "avenida plaza paseo rue place allee chemin weg laan plein gracht via viale piazza "
    "corso"
)


class Agreement(Enum):
    """Outcome of comparing one field of two profiles."""

    AGREE = "agree"
    CONFLICT = "conflict"
    UNKNOWN = "unknown"


def fold(text: str, digraphs: bool = True) -> str:
    """Lowercase ASCII with accents stripped and, for family names, German digraphs merged.

    "Müller", "Mueller" and "Muller" all fold to "muller", so a lost umlaut costs nothing.
    Given names keep their digraphs ("Michael" must not become "Michal").
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    out = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if digraphs:
        for digraph, single in _GERMANIC:
            out = out.replace(digraph, single)
    return out


@dataclass(frozen=True, slots=True)
class Profile:
    """One account's identifying fields, folded for comparison (empty string = unknown)."""

    key: str
    given: str
    family: str
    mailbox: str
    email_local: str
    phone: str
    street: str
    number: str
    postcode: str
    city: str

    @property
    def initial(self) -> str:
        return self.given[:1]

    @property
    def given_is_initial(self) -> bool:
        return len(self.given) <= 1


def parse_profile(key: str, raw: dict[str, Any]) -> Profile:
    """Fold a mapping-engine profile (``name``, ``email``, ``phone``, ``address``) into parts."""
    given, family = _name_parts(raw.get("name"))
    mailbox = _mailbox(raw.get("email"))
    street, number, postcode, city = _address_parts(raw.get("address"), raw.get("postcode"))
    return Profile(
        key=key,
        given=given,
        family=family,
        mailbox=mailbox,
        email_local=re.sub(r"[^a-z]", "", mailbox.split("@")[0]),
        phone=str(raw.get("phone") or ""),
        street=street,
        number=number,
        postcode=postcode,
        city=city,
    )


def _name_parts(name: object) -> tuple[str, str]:
    if not isinstance(name, str) or not name.strip():
        return "", ""
    try:
        parsed = normalise_name(name)
    except ValueError:
        return "", fold(name).strip()
    given = fold(parsed.given, digraphs=False).replace(".", "").split()
    return (given[0] if given else ""), fold(parsed.family).replace(" ", "").replace("-", "")


def _mailbox(email: object) -> str:
    """The mailbox without a "+tag": most providers deliver "a+shop@x" to "a@x"."""
    if not isinstance(email, str) or "@" not in email:
        return ""
    local, domain = email.lower().rsplit("@", 1)
    return f"{local.split('+', 1)[0]}@{domain}"


def _address_parts(address: object, postcode: object) -> tuple[str, str, str, str]:
    """(street, number, postcode, city) from the canonical "cc|pc|city|street|no|unit" key."""
    if not isinstance(address, str) or not address:
        pc = str(postcode or "").replace(" ", "").lower()
        return "", "", pc, ""
    parts = address.split("|")
    if len(parts) < 5:
        return _street_key(address), "", "", ""
    _country, pc, city, street, number = parts[:5]
    city_key = " ".join(_NON_ALNUM.sub(" ", fold(city, digraphs=False)).split())
    return _street_key(street), number.strip().lower(), pc.lower(), city_key


def _street_key(street: str) -> str:
    """Folded street with the "street" word unified ("schulstr." = "schulstrasse")."""
    text = _NON_ALNUM.sub(" ", fold(street, digraphs=False))
    return " ".join(_STREET_SUFFIX.sub("str", text).split())


class NameMatch(Enum):
    """How two names agree; NONE closes the gate in the scorer."""

    EXACT = "exact"  # same family and given name (or a listed nickname)
    CLOSE = "close"  # a typo in either part
    INITIAL = "initial"  # one side gives only an initial, and it fits
    FAMILY = "family"  # only the family name agrees (a relative, or a mangled given name)
    NONE = "none"


def compare_names(a: Profile, b: Profile) -> NameMatch:
    """Family names must be near-identical; given names equal, nicknames, typos or initials.

    Names written the other way round ("Smith John") are tried too.
    """
    if not (a.family and b.family):
        return NameMatch.NONE
    direct = _name_match(a.given, a.family, b.given, b.family)
    if direct in (NameMatch.NONE, NameMatch.FAMILY):
        swapped = _name_match(a.given, a.family, b.family, b.given)
        return direct if swapped in (NameMatch.NONE, NameMatch.FAMILY) else swapped
    return direct


def _name_match(ga: str, fa: str, gb: str, fb: str) -> NameMatch:
    family = 1.0 if fa == fb else JaroWinkler.normalized_similarity(fa, fb)
    if family < 0.88:
        return NameMatch.NONE
    if not (ga and gb):
        return NameMatch.FAMILY
    if len(ga) == 1 or len(gb) == 1:
        return NameMatch.INITIAL if ga[0] == gb[0] else NameMatch.FAMILY
    if ga == gb or same_given_name(ga, gb):
        return NameMatch.EXACT if family == 1.0 else NameMatch.CLOSE
    if JaroWinkler.normalized_similarity(ga, gb) >= 0.88:
        return NameMatch.CLOSE
    return NameMatch.FAMILY


def compare_phone(a: Profile, b: Profile) -> Agreement:
    """E.164 numbers: equal or not (a person keeps one number across sites)."""
    if not (a.phone and b.phone):
        return Agreement.UNKNOWN
    return Agreement.AGREE if a.phone == b.phone else Agreement.CONFLICT


def compare_email(a: Profile, b: Profile) -> Agreement:
    """Same mailbox agrees; a different mailbox cannot tell (people keep several)."""
    if a.mailbox and a.mailbox == b.mailbox:
        return Agreement.AGREE
    return Agreement.UNKNOWN


def compare_address(a: Profile, b: Profile) -> Agreement:
    """House number and street must agree; postcode and city must not disagree.

    Postcodes and cities are compared even without a street (a web shop row may keep only the
    postcode). A line the address parser could not split ("victoria road birmingham b4 8ve")
    keeps its words in ``street``, so streets are compared as token sets.
    """
    if a.postcode and b.postcode and a.postcode != b.postcode:
        return Agreement.CONFLICT
    if a.city and b.city and fuzz.token_set_ratio(a.city, b.city) < 80:
        return Agreement.CONFLICT
    if not (a.street and b.street):
        return Agreement.UNKNOWN
    if a.number and b.number and a.number != b.number:
        return Agreement.CONFLICT
    if street_similarity(a.street, b.street) < 0.85:
        return Agreement.CONFLICT
    if a.number and b.number:
        return Agreement.AGREE
    return Agreement.AGREE if _digits(a) & _digits(b) else Agreement.UNKNOWN


def street_similarity(a: str, b: str) -> float:
    """Token-set similarity of the distinctive words ("calle mayor" = "c/ mayor")."""
    da, db = _distinctive(a), _distinctive(b)
    if da and db:
        return fuzz.token_set_ratio(da, db) / 100.0
    return fuzz.token_set_ratio(a, b) / 100.0


def _distinctive(street: str) -> str:
    return " ".join(w for w in street.split() if w not in _STREET_TYPES)


def _digits(p: Profile) -> set[str]:
    return set(re.findall(r"\d+", f"{p.number} {p.street}"))


def email_mentions_name(p: Profile, q: Profile) -> bool:
    """Whether ``p``'s mailbox is built from ``q``'s name ("jwilson10" for Jessica Wilson)."""
    local = p.email_local
    if not local or len(q.family) < 3 or q.family not in local:
        return False
    rest = local.replace(q.family, " ", 1)
    return bool(q.initial) and q.initial in rest
