"""Platform conventions for rendering values: dates, money, phones, addresses, names.

These encode the *differences* between the exports: the web shop writes ISO-8601 dates and
locale-formatted prices with currency symbols, the marketplace epoch seconds, "LAST, First"
names, one-line addresses and phones in whatever format the customer typed.
"""

from __future__ import annotations

import random
import time

from .lexicon_people import COUNTRY_NAMES, NICKNAMES, PHONE_PLANS, STREET_ABBREV
from .people import Address
from .surface import misspell

_SYMBOL = {"EUR": "€", "GBP": "£", "USD": "$"}


def iso(ts: int, rnd: random.Random | None = None) -> str:
    """ISO-8601 UTC timestamp; a few rows use the +00:00 or space-separated variants."""
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))
    if rnd is None:
        return base + "Z"
    r = rnd.random()
    if r < 0.9:
        return base + "Z"
    return base + "+00:00" if r < 0.97 else base.replace("T", " ")


def iso_date(ts: int) -> str:
    """Calendar date (UTC) of a timestamp."""
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def _grouped(amount: float, thousands: str, decimal: str) -> str:
    whole, frac = f"{amount:,.2f}".split(".")
    return whole.replace(",", thousands) + decimal + frac


def money(amount: float, currency: str, rnd: random.Random) -> str:
    """A price string as the web shop renders it: '€1.299,00', '$1,299.00', '£12.50'."""
    sym = _SYMBOL[currency]
    if currency == "EUR":
        r = rnd.random()
        if r < 0.6:
            return sym + _grouped(amount, ".", ",")
        if r < 0.85:
            return _grouped(amount, ".", ",") + " " + sym
        return f"{sym}{amount:.2f}"
    if rnd.random() < 0.9:
        return sym + _grouped(amount, ",", ".")
    return f"{sym}{amount:.2f}"


def phone(parts: tuple[str, str, str], country: str, rnd: random.Random) -> str:
    """A phone number in one of the formats people type for their country."""
    cc, area, local = parts
    trunk = PHONE_PLANS[country][3]
    half = len(local) // 2 if country != "US" else 3
    a, b = local[:half], local[half:]
    styles = (
        f"+{cc} {area} {a} {b}",
        f"({trunk}{area}) {a}-{b}",
        f"00{cc} {area} {local}",
        f"{trunk}{area} {a} {b}",
        f"+{cc}{area}{local}",
        f"{trunk}{area}/{local}" if country == "DE" else f"{trunk}{area}-{a}-{b}",
    )
    return rnd.choices(styles, (0.3, 0.15, 0.15, 0.2, 0.12, 0.08))[0]


def _street_line(addr: Address) -> str:
    if addr.country in ("GB", "US", "FR"):
        return f"{addr.number} {addr.street}"
    return f"{addr.street} {addr.number}"


def street(addr: Address, rnd: random.Random) -> str:
    """The street line, sometimes with the usual abbreviations (Street -> St, Straße -> Str.)."""
    line = _street_line(addr)
    if rnd.random() < 0.3:
        for long, short in STREET_ABBREV:
            if long in line:
                return line.replace(long, short, 1)
    return line


def address_line(addr: Address, rnd: random.Random) -> str:
    """The whole address on one line, as the marketplace stores it."""
    line = street(addr, rnd)
    if addr.country in ("GB", "US"):
        out = f"{line}, {addr.city} {addr.postcode}"
    else:
        out = f"{line}, {addr.postcode} {addr.city}"
    if rnd.random() < 0.4:
        out += ", " + rnd.choice(COUNTRY_NAMES[addr.country])
    if rnd.random() < 0.05:
        out = out.replace(", ", " ", 1)
    return out


def country_field(country: str, rnd: random.Random) -> str:
    """Country column: usually the ISO code, sometimes a name as typed into a free field."""
    return country if rnd.random() < 0.8 else rnd.choice(COUNTRY_NAMES[country])


def first_name_variant(first: str, rnd: random.Random) -> str:
    """Nickname, initial or typo of a first name (the main name-level ER difficulty)."""
    r = rnd.random()
    if r < 0.15 and first in NICKNAMES:
        return rnd.choice(NICKNAMES[first])
    if r < 0.2:
        return first[0] + "."
    if r < 0.25:
        return misspell(first, rnd)
    return first


def last_name_variant(last: str, rnd: random.Random) -> str:
    """Typos and lost diacritics in a last name."""
    r = rnd.random()
    if r < 0.05:
        return misspell(last, rnd)
    if r < 0.1:
        return last.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("é", "e")
    return last


def marketplace_name(first: str, last: str, rnd: random.Random) -> str:
    """Marketplace display names: 'LAST, First' mostly, with a few free-form exceptions."""
    r = rnd.random()
    if r < 0.75:
        return f"{last.upper()}, {first}"
    if r < 0.9:
        return f"{last}, {first}"
    return f"{first} {last}"


def email_variant(email: str, rnd: random.Random) -> str:
    """The same mailbox written differently: casing, gmail dots, plus-tags."""
    local, domain = email.split("@")
    r = rnd.random()
    if r < 0.08:
        return email.upper()
    if r < 0.16:
        return local.capitalize() + "@" + domain
    if r < 0.22 and domain == "gmail.com":
        return local.replace(".", "") + "@" + domain
    if r < 0.27:
        return f"{local}+shop@{domain}"
    return email
