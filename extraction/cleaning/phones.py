"""Phone numbers to E.164, the one form in which the same line from two platforms compares equal.

Shared phone numbers link accounts in the graph, so a number is only accepted when libphonenumber
says it is valid for its region: a wrong-but-plausible key would create false links.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

# Longer than any real number plus formatting and an extension; keeps the parser's work bounded.
_MAX_LENGTH = 64
_REGION_ALIASES = {"UK": "GB"}


def to_e164(value: object, default_region: str | None) -> str:
    """ "+<country><number>" for a national or international number; extensions are dropped.

    ``default_region`` (ISO alpha-2) reads numbers written without a country code. A leading
    "00" is taken as the international prefix whatever the region, since outside North America
    that is what it means and no valid national number starts with it.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"cannot read a phone number from {type(value).__name__}")
    text = str(value).strip()
    if not text:
        raise ValueError("empty phone number")
    if len(text) > _MAX_LENGTH:
        raise ValueError("phone number too long")
    if text.startswith("00"):
        text = "+" + text[2:]
    region = _region(default_region)
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise ValueError(f"not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number for its region")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _region(region: str | None) -> str | None:
    if region is None:
        return None
    upper = region.strip().upper()
    upper = _REGION_ALIASES.get(upper, upper)
    if upper not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown region {region!r}")
    return upper
