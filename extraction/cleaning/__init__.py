"""Pure value normalisers for messy multi-platform exports.

Each normaliser raises ``ValueError`` with a short human reason when it cannot interpret a value,
so the caller can turn it into a rejects row naming the record and field; none of them touches
I/O. Each is idempotent: feeding a normalised value (or its ``str``) back in gives the same value,
which lets sources that were cleaned upstream pass through unchanged.
"""

from __future__ import annotations

from extraction.cleaning.addresses import Address, normalise_address
from extraction.cleaning.dates import to_utc
from extraction.cleaning.emails import normalise_email
from extraction.cleaning.money import Money, parse_money
from extraction.cleaning.names import PersonName, normalise_name
from extraction.cleaning.phones import to_e164

__all__ = [
    "Address",
    "Money",
    "PersonName",
    "normalise_address",
    "normalise_email",
    "normalise_name",
    "parse_money",
    "to_e164",
    "to_utc",
]
