"""E-mail addresses to one comparable form per mailbox.

Case is ignored by every mainstream provider, and Gmail also ignores dots and "+tags" in the local
part, so "J.Doe+shop@GoogleMail.com" and "jdoe@gmail.com" reach the same inbox and must yield the
same key. Dots and tags are kept for every other domain: elsewhere they can name different people.
"""

from __future__ import annotations

import re

_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
# RFC 5322 "atext" minus nothing exotic: quoted local parts are too rare in shop data to support.
_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*", re.ASCII)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
_TLD = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}", re.ASCII)


def normalise_email(value: object) -> str:
    """Trimmed, lowercased, validated address; Gmail local parts lose dots and "+tags"."""
    if not isinstance(value, str):
        raise ValueError(f"cannot read an e-mail from {type(value).__name__}")
    text = value.strip().lower()
    if not text:
        raise ValueError("empty e-mail")
    if len(text) > 254:
        raise ValueError("e-mail longer than 254 characters")
    if any(ch.isspace() for ch in text):
        raise ValueError("e-mail contains whitespace")
    if text.count("@") != 1:
        raise ValueError("e-mail must contain exactly one '@'")
    local, domain = text.split("@")
    domain = _check_domain(domain)
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        raise ValueError("invalid local part")
    if domain in _GMAIL_DOMAINS:
        domain = "gmail.com"
        local = local.split("+", 1)[0].replace(".", "")
        if not local:
            raise ValueError("empty gmail local part")
    return f"{local}@{domain}"


def _check_domain(domain: str) -> str:
    """A dotted host name; internationalised names are stored in their ASCII (punycode) form."""
    domain = domain.rstrip(".")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError("invalid internationalised domain") from exc
    labels = domain.split(".")
    if len(labels) < 2:
        raise ValueError("domain needs a dot")
    if not all(_LABEL.fullmatch(label) for label in labels) or not _TLD.fullmatch(labels[-1]):
        raise ValueError(f"invalid domain {domain[:60]!r}")
    return domain
