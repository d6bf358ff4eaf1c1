"""Value normalisers: accepted shapes, rejected shapes, idempotence and fuzzing."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extraction.cleaning import (
    Address,
    Money,
    PersonName,
    normalise_address,
    normalise_email,
    normalise_name,
    parse_money,
    to_e164,
    to_utc,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROPERTY = settings(max_examples=80, deadline=None)
# Text biased toward the characters the parsers care about, plus arbitrary Unicode.
MESSY = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789 .,:/-+'$€£Zz@TtAaMmPp", max_size=30),
)


def _dt(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


# ---- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-11-24T13:05:00Z", _dt(2025, 11, 24, 13, 5)),
        ("2025-11-24T14:05:00+01:00", _dt(2025, 11, 24, 13, 5)),
        ("2025-11-24 13:05:00", _dt(2025, 11, 24, 13, 5)),
        ("2025-11-24", _dt(2025, 11, 24)),
        ("20251124", _dt(2025, 11, 24)),
        ("24/11/2025 13:05", _dt(2025, 11, 24, 13, 5)),
        ("24.11.2025", _dt(2025, 11, 24)),
        ("5-1-2025 07:08:09", _dt(2025, 1, 5, 7, 8, 9)),
        ("Nov 24, 2025", _dt(2025, 11, 24)),
        ("November 24 2025 1:05 PM", _dt(2025, 11, 24, 13, 5)),
        ("24 Nov 2025", _dt(2025, 11, 24)),
        ("Mon, 24 Nov 2025 14:05:00 +0100", _dt(2025, 11, 24, 13, 5)),
        ("  2025-11-24T13:05:00Z \n", _dt(2025, 11, 24, 13, 5)),
        (1764000000, _dt(2025, 11, 24, 16, 0)),
        (1764000000.5, _dt(2025, 11, 24, 16, 0, 0, 500000)),
        (1764000000123, _dt(2025, 11, 24, 16, 0, 0, 123000)),
        ("1764000000", _dt(2025, 11, 24, 16, 0)),
        ("1764000000123", _dt(2025, 11, 24, 16, 0, 0, 123000)),
        (Decimal("1764000000"), _dt(2025, 11, 24, 16, 0)),
        (datetime(2025, 11, 24, 13, 5), _dt(2025, 11, 24, 13, 5)),
        (
            datetime(2025, 11, 24, 14, 5, tzinfo=timezone(timedelta(hours=1))),
            _dt(2025, 11, 24, 13, 5),
        ),
        (date(2025, 11, 24), _dt(2025, 11, 24)),
    ],
)
def test_to_utc_accepts(value: object, expected: datetime) -> None:
    result = to_utc(value)
    assert result == expected
    assert result.tzinfo is UTC


def test_to_utc_reads_naive_values_in_default_tz() -> None:
    assert to_utc("24/11/2025 13:05", default_tz="Europe/Berlin") == _dt(2025, 11, 24, 12, 5)
    assert to_utc(datetime(2025, 7, 1, 12), default_tz="Europe/London") == _dt(2025, 7, 1, 11)
    # An explicit offset wins over the default zone.
    assert to_utc("2025-11-24T13:05Z", default_tz="Europe/Berlin") == _dt(2025, 11, 24, 13, 5)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "garbage",
        "11/24/2025",
        "31/02/2025",
        "1989-12-31T23:59:59Z",
        "2101-01-01",
        "0001-01-01T00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        0,
        -1,
        99_999_999_999,
        10**30,
        float("nan"),
        float("inf"),
        True,
        None,
        [],
        "Foo 24, 2025",
        "25:00 24/11/2025",
    ],
)
def test_to_utc_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        to_utc(value)


def test_to_utc_rejects_unknown_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        to_utc("2025-11-24 13:05", default_tz="Mars/Olympus")


@PROPERTY
@given(
    st.datetimes(
        min_value=datetime(1991, 1, 1),
        max_value=datetime(2099, 12, 31),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5)), None]),
    )
)
def test_to_utc_is_idempotent(value: datetime) -> None:
    once = to_utc(value)
    assert to_utc(once) == once
    assert to_utc(once.isoformat()) == once
    millis = (once - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    truncated = once.replace(microsecond=once.microsecond // 1000 * 1000)
    assert to_utc(millis) == to_utc(str(millis)) == truncated
    assert to_utc(millis // 1000) == once.replace(microsecond=0)


@FUZZ
@given(st.one_of(MESSY, st.integers(), st.floats()))
def test_to_utc_only_raises_value_error(value: object) -> None:
    try:
        result = to_utc(value)
    except ValueError:
        return
    assert result.tzinfo is UTC and 1990 <= result.year <= 2100


# ---- money -----------------------------------------------------------------------------------


def _m(amount: str, currency: str) -> Money:
    return Money(Decimal(amount), currency)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("€1.299,00", _m("1299.00", "EUR")),
        ("1,299.00 USD", _m("1299.00", "USD")),
        ("$1,299.00", _m("1299.00", "USD")),
        ("£12.50", _m("12.50", "GBP")),
        ("12.5 EUR", _m("12.50", "EUR")),
        ("EUR 12,50", _m("12.50", "EUR")),
        ("eur 12,5", _m("12.50", "EUR")),
        ("1.299 €", _m("1299.00", "EUR")),
        ("1,299 USD", _m("1299.00", "USD")),
        ("1.234.567,89 EUR", _m("1234567.89", "EUR")),
        ("1 299,00 €", _m("1299.00", "EUR")),
        ("1\u00a0299,00\u00a0€", _m("1299.00", "EUR")),
        ("CHF 1'299.50", _m("1299.50", "CHF")),
        ("-€12.50", _m("-12.50", "EUR")),
        ("€ -12.50", _m("-12.50", "EUR")),
        ("- 12.50 GBP", _m("-12.50", "GBP")),
        ("US$5", _m("5.00", "USD")),
        ("0.50 EUR", _m("0.50", "EUR")),
        ("-0.00 EUR", _m("0.00", "EUR")),
    ],
)
def test_parse_money_accepts(value: str, expected: Money) -> None:
    assert parse_money(value) == expected


def test_parse_money_defaults_and_symbol_ambiguity() -> None:
    assert parse_money(12.5, "EUR") == _m("12.50", "EUR")
    assert parse_money(12, "eur") == _m("12.00", "EUR")
    assert parse_money("12,50", "EUR") == _m("12.50", "EUR")
    assert parse_money("$5", "CAD") == _m("5.00", "CAD")  # "$" defers to a dollar default
    assert parse_money("$5", "EUR") == _m("5.00", "USD")
    assert parse_money("kr 99,00", "SEK") == _m("99.00", "SEK")
    assert parse_money("¥500", "CNY") == _m("500.00", "CNY")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12.50",
        "12,50 XYZ",
        "kr 99,00",
        "€12 USD",
        "(12.50) EUR",
        "12.50- EUR",
        "--12 EUR",
        "1.234.56 EUR",
        "1,234.567 EUR",
        "0.125 EUR",
        "1234.567 EUR",
        "1,2,3 EUR",
        "12. EUR",
        "EUR",
        "abc",
        "1e5 EUR",
        "12 50 EUR",
        "٣ EUR",
        "+12 EUR",
        True,
        None,
    ],
)
def test_parse_money_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_money(value)


def test_parse_money_rejects_unknown_default() -> None:
    with pytest.raises(ValueError, match="unknown currency"):
        parse_money("12.50", "EURO")
    with pytest.raises(ValueError):
        parse_money(float("nan"), "EUR")


CURRENCIES = st.sampled_from(["EUR", "USD", "GBP", "CHF", "JPY", "SEK"])
AMOUNTS = st.decimals(
    min_value=Decimal("-1e12"),
    max_value=Decimal("1e12"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@PROPERTY
@given(AMOUNTS, CURRENCIES)
def test_parse_money_is_idempotent(amount: Decimal, currency: str) -> None:
    money = parse_money(f"{amount} {currency}")
    assert parse_money(money) == money
    assert parse_money(str(money)) == money
    assert money.amount == amount


@PROPERTY
@given(
    st.decimals(min_value=Decimal("0"), max_value=Decimal("1e9"), places=2),
    CURRENCIES,
    st.sampled_from(["us", "eu", "ch", "space"]),
)
def test_parse_money_reads_grouped_formats(amount: Decimal, currency: str, style: str) -> None:
    text = f"{amount:,.2f}"  # "1,234,567.89"
    text = {
        "us": text,
        "eu": text.translate(str.maketrans(",.", ".,")),
        "ch": text.replace(",", "'"),
        "space": text.replace(",", " ").replace(".", ","),
    }[style]
    assert parse_money(f"{text} {currency}") == Money(amount, currency)


@FUZZ
@given(st.one_of(MESSY, st.floats(), st.integers()), st.sampled_from([None, "EUR"]))
def test_parse_money_only_raises_value_error(value: object, default: str | None) -> None:
    try:
        money = parse_money(value, default)
    except ValueError:
        return
    assert money.amount == money.amount.quantize(Decimal("0.01"))
    assert parse_money(str(money)) == money


# ---- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("+44 20 7946 0958", None, "+442079460958"),
        ("+44 20 7946 0958", "DE", "+442079460958"),
        ("(020) 7946-0958", "GB", "+442079460958"),
        ("020 7946 0958", "uk", "+442079460958"),
        ("0049 30 1234567", "GB", "+49301234567"),
        ("0049 30 1234567", "US", "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("+44 20 7946 0958 ext. 123", None, "+442079460958"),
        ("020 7946 0958 x123", "GB", "+442079460958"),
        ("+442079460958", None, "+442079460958"),
    ],
)
def test_to_e164_accepts(value: str, region: str | None, expected: str) -> None:
    assert to_e164(value, region) == expected


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("", "GB"),
        ("abc", "GB"),
        ("020 7946", "GB"),
        ("+44 99 1234", None),
        ("020 7946 0958", None),
        ("12345", "ZZ"),
        ("1" * 80, "GB"),
        (None, "GB"),
    ],
)
def test_to_e164_rejects(value: object, region: str | None) -> None:
    with pytest.raises(ValueError):
        to_e164(value, region)


REGIONS = st.sampled_from(["GB", "DE", "FR", "US", "NL", "ES", "IT", "IN", "BR", "JP", "AU"])
FORMATS = st.sampled_from(
    [
        phonenumbers.PhoneNumberFormat.NATIONAL,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.E164,
        phonenumbers.PhoneNumberFormat.RFC3966,
    ]
)


@PROPERTY
@given(REGIONS, FORMATS)
def test_to_e164_is_idempotent(region: str, fmt: int) -> None:
    number = phonenumbers.example_number(region)
    assert number is not None
    text = phonenumbers.format_number(number, fmt)
    once = to_e164(text, region)
    assert once == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert to_e164(once, region) == once
    assert to_e164(once, None) == once


@FUZZ
@given(MESSY, st.sampled_from(["GB", "US", None]))
def test_to_e164_only_raises_value_error(value: str, region: str | None) -> None:
    try:
        result = to_e164(value, region)
    except ValueError:
        return
    assert result.startswith("+") and result[1:].isdigit()


# ---- emails ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Alice@Example.COM ", "alice@example.com"),
        ("J.Doe+shop@GoogleMail.com", "jdoe@gmail.com"),
        ("j.o.h.n@gmail.com", "john@gmail.com"),
        ("first.last+tag@example.co.uk", "first.last+tag@example.co.uk"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("user@sub.example.com.", "user@sub.example.com"),
        ("x@MÜNCHEN.de", "x@xn--mnchen-3ya.de"),
    ],
)
def test_normalise_email_accepts(value: str, expected: str) -> None:
    assert normalise_email(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "plainaddress",
        "a@b",
        "a@@b.com",
        "a@b@c.com",
        "a b@c.com",
        "@example.com",
        "a@.com",
        "a@example..com",
        ".a@example.com",
        "a.@example.com",
        "a..b@example.com",
        "a@-example.com",
        "a@example.c",
        "+tag@gmail.com",
        "a@exa mple.com",
        "a@example.123",
        None,
    ],
)
def test_normalise_email_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        normalise_email(value)


@FUZZ
@given(st.one_of(st.emails(), MESSY, st.text(alphabet="aB.+@-_gmail.com ", max_size=30)))
def test_normalise_email_is_idempotent_and_only_raises_value_error(value: str) -> None:
    try:
        once = normalise_email(value)
    except ValueError:
        return
    assert normalise_email(once) == once
    assert once == once.strip().lower()


# ---- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "given_name", "family"),
    [
        ("SMITH, John", "John", "Smith"),
        ("john smith", "John", "Smith"),
        ("  john    paul   smith ", "John Paul", "Smith"),
        ("mcDONALD, ronald", "Ronald", "McDonald"),
        ("o'brien, seán", "Seán", "O'Brien"),
        ("mary o\u2019brien", "Mary", "O'Brien"),
        ("anne-marie SMITH-jones", "Anne-Marie", "Smith-Jones"),
        ("Mr. John Smith", "John", "Smith"),
        ("Dr Jane Doe", "Jane", "Doe"),
        ("Smith, Mrs Jane", "Jane", "Smith"),
        ("ms. j. r. r. tolkien", "J. R. R.", "Tolkien"),
        ("ludwig van beethoven", "Ludwig", "van Beethoven"),
        ("Maria de la Cruz", "Maria", "de la Cruz"),
        ("John Smith Jr.", "John", "Smith Jr."),
        ("smith, john, jr", "John", "Smith Jr."),
        ("ÉLODIE DUPONT", "Élodie", "Dupont"),
        ("Madonna", "Madonna", ""),
        ("Smith,", "", "Smith"),
    ],
)
def test_normalise_name_accepts(value: str, given_name: str, family: str) -> None:
    assert normalise_name(value) == PersonName(given_name, family)


def test_normalise_name_uses_nfc_and_builds_full() -> None:
    decomposed = "Jose\u0301 Garci\u0301a"
    name = normalise_name(decomposed)
    assert name == PersonName("Jos\u00e9", "Garc\u00eda")
    assert name.full == "Jos\u00e9 Garc\u00eda"
    assert str(name) == "Garc\u00eda, Jos\u00e9"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        ",",
        "Dr.",
        "Mr Mrs",
        "John 3rd",
        "a@b.com",
        "Smith, John, Esq",
        "- -",
        None,
    ],
)
def test_normalise_name_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        normalise_name(value)


GIVEN = st.sampled_from(["john", "MARY", "anne-marie", "seán", "j.", "Élodie", "ZOË", "li"])
FAMILY = st.sampled_from(
    ["smith", "MCDONALD", "o'brien", "van der berg", "de la cruz", "smith-jones", "müller", "ngũgĩ"]
)


@PROPERTY
@given(st.lists(GIVEN, min_size=1, max_size=3), FAMILY, st.booleans(), st.booleans())
def test_normalise_name_is_idempotent(
    given_names: list[str], family: str, comma: bool, title: bool
) -> None:
    first = " ".join(given_names)
    text = f"{family}, {first}" if comma else f"{first} {family}"
    name = normalise_name(("Dr " if title and not comma else "") + text)
    assert normalise_name(name) == name
    assert normalise_name(str(name)) == name
    assert normalise_name(name.full) == name
    assert normalise_name(name.full.upper()) == name


@FUZZ
@given(st.one_of(MESSY, st.text(alphabet="abcMDr.,'- \u00e9\u0301\u2019", max_size=30)))
def test_normalise_name_only_raises_value_error(value: str) -> None:
    try:
        name = normalise_name(value)
    except ValueError:
        return
    assert normalise_name(str(name)) == name
    assert normalise_name(name) == name


# ---- addresses -------------------------------------------------------------------------------

VARIANT_PAIRS = [
    ("12 High Street, London SW1A 1AA, GB", "12 high st., london, sw1a1aa, United Kingdom"),
    ("12 High Street, London SW1A 1AA, UK", "12  HIGH  ST, LONDON, SW1A 1AA, great britain"),
    ("Hauptstr. 5, 10115 Berlin, DE", "Hauptstraße 5, 10115 BERLIN, Deutschland"),
    ("Hauptstr. 5, 10115 Berlin, DE", "5 Hauptstrasse, 10115 Berlin, Germany"),
    ("221b baker st., london, nw1 6xe, United Kingdom", "221B Baker Street, London NW1 6XE"),
    ("10 Downing St, Westminster, London SW1A 2AA", "10 Downing Street, London, SW1A 2AA, UK"),
    (
        "1600 Pennsylvania Ave NW, Washington, DC 20500, USA",
        "1600 pennsylvania avenue northwest, washington, 20500, U.S.A.",
    ),
    ("Flat 3, 12 High St, London SW1A 1AA", "Apt. 3, 12 High Street, London, SW1A 1AA, GB"),
    (
        "123 Main St Apt 4B, Springfield, 62701, US",
        "Unit 4b, 123 Main Street, Springfield 62701, US",
    ),
    (
        "Keizersgracht 123, 1015 CJ Amsterdam, Netherlands",
        "Keizersgracht 123, 1015cj amsterdam, NL",
    ),
    ("5 Rue de Rivoli, 75001 Paris, France", "5 rue de rivoli, 75001 PARIS, FR"),
    ("St John's Rd 7, St. Albans, AL1 1AA", "7 Saint Johns Road, St Albans, AL1 1AA, England"),
]


@pytest.mark.parametrize(("left", "right"), VARIANT_PAIRS)
def test_address_variants_share_a_canonical_string(left: str, right: str) -> None:
    assert normalise_address(left).canonical() == normalise_address(right).canonical()


DIFFERENT_PAIRS = [
    ("12 High Street, London SW1A 1AA, GB", "14 High Street, London SW1A 1AA, GB"),
    ("Flat 3, 12 High St, London SW1A 1AA", "Flat 4, 12 High St, London SW1A 1AA"),
    ("Hauptstr. 5, 10115 Berlin, DE", "Hauptstr. 5, 10117 Berlin, DE"),
    ("12 High Street, London SW1A 1AA, GB", "12 High Road, London SW1A 1AA, GB"),
]


@pytest.mark.parametrize(("left", "right"), DIFFERENT_PAIRS)
def test_different_addresses_stay_apart(left: str, right: str) -> None:
    assert normalise_address(left).canonical() != normalise_address(right).canonical()


def test_address_components() -> None:
    address = normalise_address("221b baker st., london, nw1 6xe, United Kingdom")
    assert address == Address("baker street", "221b", "NW1 6XE", "london", "GB")
    assert address.canonical() == "GB|NW16XE|london|baker street|221b|"
    assert normalise_address("Hauptstr. 5, 10115 Berlin, DE") == Address(
        "hauptstrasse", "5", "10115", "berlin", "DE"
    )
    us = normalise_address("1600 Pennsylvania Ave NW, Washington, DC 20500, USA")
    assert (us.city, us.postcode, us.country) == ("washington", "20500", "US")


def test_address_default_country_and_inference() -> None:
    assert normalise_address("Hauptstr. 5, 10115 Berlin", default_country="Germany").country == "DE"
    assert normalise_address("Hauptstr. 5, 10115 Berlin").country == ""
    assert normalise_address("12 High St, London SW1A 1AA").country == "GB"
    # The address's own country beats the default.
    own = normalise_address("12 High St, London SW1A 1AA, UK", default_country="DE")
    assert own.country == "GB"


def test_address_from_mapping() -> None:
    mapping = {
        "street": "Hauptstr.",
        "house_number": 5,
        "zip": 10115,
        "city": "Berlin",
        "country": "Deutschland",
        "state": "Berlin",
    }
    assert normalise_address(mapping) == normalise_address("Hauptstr. 5, 10115 Berlin, DE")
    assert normalise_address({"line1": "12 High St", "postcode": "sw1a1aa"}) == Address(
        "high street", "12", "SW1A 1AA", "", "GB"
    )


@pytest.mark.parametrize(
    "value",
    [
        "",
        " , , ",
        "Germany",
        "12, 10115",
        "x" * 600,
        None,
        12,
        {"street": "High St", "colour": "red"},
        {"street": "Hauptstr. 5", "postcode": "ABC", "country": "DE"},
    ],
)
def test_normalise_address_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        normalise_address(value)


def test_normalise_address_rejects_unknown_default_country() -> None:
    with pytest.raises(ValueError, match="unknown country"):
        normalise_address("12 High St", default_country="Atlantis")


@pytest.mark.parametrize("line", [left for left, _ in VARIANT_PAIRS + DIFFERENT_PAIRS])
def test_address_examples_are_idempotent(line: str) -> None:
    address = normalise_address(line)
    assert normalise_address(address) == address
    assert normalise_address(asdict(address)) == address
    assert normalise_address(str(address)) == address


STREETS = st.sampled_from(
    [
        "High St",
        "Baker Street",
        "hauptstr.",
        "Rue de Rivoli",
        "Pennsylvania Ave NW",
        "St John's Rd",
        "Keizersgracht",
        "Calle Mayor",
    ]
)
PLACES = st.sampled_from(
    [
        ("London", "SW1A 1AA", "GB"),
        ("Berlin", "10115", "DE"),
        ("Amsterdam", "1015 CJ", "NL"),
        ("Paris", "75001", "FR"),
        ("Madrid", "28013", "ES"),
        ("Springfield", "62701", "US"),
        ("Dublin", "D02 X285", "IE"),
        ("Ottawa", "K1A 0B1", "CA"),
    ]
)


@PROPERTY
@given(
    STREETS,
    st.from_regex(r"[1-9][0-9]{0,3}[a-c]?", fullmatch=True),
    PLACES,
    st.sampled_from(["", "Flat 2", "Apt 10"]),
    st.integers(0, 3),
)
def test_normalise_address_is_idempotent(
    street: str, number: str, place: tuple[str, str, str], unit: str, layout: int
) -> None:
    city, postcode, country = place
    lines = [
        f"{number} {street}, {city} {postcode}, {country}",
        f"{street} {number}, {postcode} {city}, {country}",
        f"{number} {street}, {city}, {postcode.lower()}",
        f"{street} {number}, {city}, {postcode}, {country}",
    ]
    text = (f"{unit}, " if unit else "") + lines[layout]
    address = normalise_address(text, default_country=country)
    assert (address.country, address.postcode) == (country, postcode)
    assert normalise_address(address) == address
    assert normalise_address(asdict(address)) == address
    assert normalise_address(str(address)) == address


@FUZZ
@given(
    st.one_of(MESSY, st.text(alphabet="0123456789abSWst ,.-'#", max_size=40)),
    st.sampled_from([None, "GB", "DE"]),
)
def test_normalise_address_only_raises_value_error(value: str, default: str | None) -> None:
    try:
        address = normalise_address(value, default_country=default)
    except ValueError:
        return
    assert normalise_address(address) == address
    assert normalise_address(asdict(address)) == address
