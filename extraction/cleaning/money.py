"""Prices from locale-formatted strings to an exact ``Decimal`` amount and an ISO 4217 code.

Exports mix "1.299,00 €" (continental), "1,299.00 USD" and bare numbers. Floats would turn cents
into rounding noise and a wrong decimal-separator guess is off by a factor of 1000, so the
separator rule is strict and anything it cannot decide is rejected rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")

_ISO_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES
VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
ISO_4217 = frozenset(_ISO_CODES.split())

# Symbol -> candidate currencies. A default currency among the candidates wins; otherwise the
# first candidate is the conventional reading, and an empty first entry means "too ambiguous".
_SYMBOLS: dict[str, tuple[str, ...]] = {
    "€": ("EUR",),
    "£": ("GBP",),
    "₹": ("INR",),
    "₩": ("KRW",),
    "₺": ("TRY",),
    "₽": ("RUB",),
    "zł": ("PLN",),
    "₪": ("ILS",),
    "₫": ("VND",),
    "₴": ("UAH",),
    "r$": ("BRL",),
    "us$": ("USD",),
    "c$": ("CAD",),
    "ca$": ("CAD",),
    "a$": ("AUD",),
    "au$": ("AUD",),
    "nz$": ("NZD",),
    "hk$": ("HKD",),
    "s$": ("SGD",),
    "chf": ("CHF",),
    "fr.": ("CHF",),
    "$": ("USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN"),
    "¥": ("JPY", "CNY"),
    "kr": ("", "SEK", "NOK", "DKK", "ISK"),
    "kr.": ("", "SEK", "NOK", "DKK", "ISK"),
}
_CURRENCY = r"[a-z]{3}|" + "|".join(
    re.escape(symbol) for symbol in sorted(_SYMBOLS, key=len, reverse=True)
)
_MONEY = re.compile(
    rf"(?P<sign1>-)?\s*(?P<pre>{_CURRENCY})?\s*(?P<sign2>-)?\s*"
    rf"(?P<num>[0-9][0-9.,' \u00a0\u202f]*)\s*(?P<post>{_CURRENCY})?",
    re.ASCII,
)
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in whole cents and its ISO 4217 code; ``str`` parses back to itself."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def parse_money(value: object, default_currency: str | None = None) -> Money:
    """Amount and currency from a formatted price; bare numbers need ``default_currency``.

    Negative amounts must carry a leading "-": accounting forms such as "(12.50)" or "12.50-"
    are rejected because some exports use them for credits and others for typos.
    """
    default = _check_code(default_currency) if default_currency is not None else None
    if isinstance(value, Money):
        return Money(_cents(value.amount), _check_code(value.currency))
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    if isinstance(value, int | float | Decimal):
        if default is None:
            raise ValueError("a bare number needs a default currency")
        return Money(_cents(Decimal(str(value))), default)
    if not isinstance(value, str):
        raise ValueError(f"cannot read an amount from {type(value).__name__}")
    return _parse_text(value, default)


def _parse_text(text: str, default: str | None) -> Money:
    """Split sign, currency and number, then resolve each part on its own."""
    s = text.translate(_SPACES).strip()
    if not s:
        raise ValueError("empty amount")
    match = _MONEY.fullmatch(s.lower())
    if match is None:
        raise ValueError(f"unrecognised amount: {text[:40]!r}")
    if match["sign1"] and match["sign2"]:
        raise ValueError("two minus signs")
    currency = _resolve_currency(match["pre"], match["post"], default)
    number = _parse_number(match["num"].strip())
    return Money(_cents(-number if match["sign1"] or match["sign2"] else number), currency)


def _resolve_currency(pre: str | None, post: str | None, default: str | None) -> str:
    """One currency from a prefix, a suffix or the default; conflicting markers are rejected."""
    found = {_currency_token(token, default) for token in (pre, post) if token is not None}
    if len(found) > 1:
        raise ValueError(f"conflicting currencies {sorted(found)}")
    if found:
        return found.pop()
    if default is None:
        raise ValueError("no currency and no default currency")
    return default


def _currency_token(token: str, default: str | None) -> str:
    """An ISO code or a symbol; a symbol shared by several currencies defers to the default."""
    candidates = _SYMBOLS.get(token)
    if candidates is None:
        return _check_code(token)
    if default is not None and default in candidates:
        return default
    if not candidates[0]:
        raise ValueError(f"ambiguous currency symbol {token!r} without a matching default")
    return candidates[0]


def _check_code(code: str) -> str:
    upper = code.strip().upper()
    if upper not in ISO_4217:
        raise ValueError(f"unknown currency {code[:10]!r}")
    return upper


def _parse_number(num: str) -> Decimal:
    """Digits with grouping and a decimal separator, decided by the digits after the last "."/",".

    One or two digits after the last separator make it decimal; exactly three make it a thousands
    separator unless the other separator appears too (then the last is decimal by elimination).
    """
    grouped = re.sub(r"[ ']", "_", num)
    last = max(grouped.rfind("."), grouped.rfind(","))
    if last < 0:
        return Decimal(_join_groups(grouped, "_"))
    head, tail = grouped[:last], grouped[last + 1 :]
    sep, other = grouped[last], "," if grouped[last] == "." else "."
    if not tail.isdigit():
        raise ValueError(f"malformed number {num!r}")
    if other in head or (len(tail) <= 2 and sep not in head):
        if len(tail) > 2 and other in head:
            raise ValueError(f"more than two decimals in {num!r}")
        if sep in head:
            raise ValueError(f"separator {sep!r} used twice with decimals in {num!r}")
        return Decimal(f"{_join_groups(head, other + '_')}.{tail}")
    if len(tail) != 3:
        raise ValueError(f"cannot tell the decimal separator in {num!r}")
    return Decimal(_join_groups(grouped, sep + "_"))


def _join_groups(digits: str, separators: str) -> str:
    """Drop thousands separators after checking they really sit between groups of three."""
    groups = re.split("[" + re.escape(separators) + "]", digits)
    if len(groups) == 1:
        if not digits.isdigit():
            raise ValueError(f"malformed number {digits!r}")
        return digits
    first, rest = groups[0], groups[1:]
    ok = (
        first.isdigit()
        and len(first) <= 3
        and first[0] != "0"
        and all(len(g) == 3 and g.isdigit() for g in rest)
    )
    if not ok:
        raise ValueError(f"thousands groups are not groups of three in {digits!r}")
    return "".join(groups)


def _cents(amount: Decimal) -> Decimal:
    """Whole cents, with "-0.00" folded into "0.00" so equal amounts also print the same."""
    if not amount.is_finite():
        raise ValueError("amount is not a finite number")
    try:
        cents = amount.quantize(CENT)
    except InvalidOperation as exc:
        raise ValueError("amount too large") from exc
    return cents.copy_abs() if cents.is_zero() else cents
