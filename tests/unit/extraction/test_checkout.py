"""Checkout identifiers become the very keys ingestion gives them (same mapping, same secret)."""

from pathlib import Path

import pytest

from cartograph.errors import InvalidInputError
from extraction.checkout import CheckoutCleaner, identifier_specs
from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser

MAPPING = Path(__file__).resolve().parents[3] / "extraction" / "mappings" / "marketplace.yaml"
PSEUDO = Pseudonymiser(b"unit-test-secret-0123456789abcdef")


def test_checkout_keys_equal_ingestion_tokens() -> None:
    cleaner = CheckoutCleaner(load_mapping(MAPPING), PSEUDO)
    assert cleaner.key("Card", "4840 0681 7118 2283") == PSEUDO.token("card", "4840068171182283")
    assert cleaner.key("IP", "84.79.121.165") == PSEUDO.token("ip", "84.79.121.165")
    device = "fp_b13741f52de9ec81"
    assert cleaner.key("Device", device) == PSEUDO.token("device", device)
    email = cleaner.key("Email", "O.Davies@Yahoo.co.uk")
    assert email is not None and email.startswith("email:")
    assert cleaner.key("Card", None) is None


def test_address_components_and_unknown_labels() -> None:
    cleaner = CheckoutCleaner(load_mapping(MAPPING), PSEUDO)
    address = {"street": "1 High St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"}
    key = cleaner.key("Address", address)
    assert key is not None and key.startswith("address:")
    assert key == cleaner.key("Address", dict(address))  # deterministic
    assert cleaner.key("Pet", "cat") is None  # no spec: nothing to clean
    assert set(identifier_specs(load_mapping(MAPPING))) == {
        "Card", "Device", "IP", "Address", "Email"
    }  # fmt: skip


def test_an_unreadable_value_is_a_coded_input_error() -> None:
    cleaner = CheckoutCleaner(load_mapping(MAPPING), PSEUDO)
    with pytest.raises(InvalidInputError, match=r"\[E600\] card: "):
        cleaner.key("Card", "4840 0681 7118 2284")  # fails the Luhn check


def test_country_names_read_like_at_ingestion() -> None:
    """'Spain' in a checkout is ES, as the loader reads it in exports; the address key is the
    same whether the country comes as a name or a code."""
    cleaner = CheckoutCleaner(load_mapping(MAPPING), PSEUDO)
    assert cleaner.country("Spain") == cleaner.country("es") == "ES"
    assert cleaner.country("United Kingdom") == "GB"
    address = {"street": "Calle Real 12", "city": "Madrid", "postcode": "28030"}
    assert cleaner.key("Address", {**address, "country": "Spain"}) == cleaner.key(
        "Address", {**address, "country": "ES"}
    )
    with pytest.raises(InvalidInputError, match="country"):
        cleaner.country("Narnia")
