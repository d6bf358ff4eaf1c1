"""Timestamps from every export format to one timezone-aware UTC ``datetime``.

The web shop writes local day-first strings, the marketplace ISO-8601 with offsets and the app
epoch milliseconds; comparing or ordering events across them is only meaningful once all are in
UTC. Out-of-range years are rejected rather than clamped: a 1970 or 9999 timestamp in an export is
almost always a placeholder or a seconds/milliseconds mix-up, not a real event.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_YEAR = 1990
MAX_YEAR = 2100

# Epoch seconds for MIN_YEAR-01-01 and (MAX_YEAR + 1)-01-01: checked before building a datetime so
# absurd numbers fail with a reason instead of an OverflowError.
_EPOCH_MIN = Decimal(631_152_000)
_EPOCH_MAX = Decimal(4_133_980_800)
# Seconds in range are < 1e10 and milliseconds in range are > 6e11, so 1e11 splits them cleanly.
_MILLIS_THRESHOLD = Decimal(100_000_000_000)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_NUMERIC = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_COMPACT_DATE = re.compile(r"[0-9]{8}")
_TIME = (
    r"(?:[ T,]+(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:\.(?P<F>[0-9]{1,6}))?)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?)?"
)
_ZONE = r"(?:\s*(?P<zone>z|utc|gmt|[+-][0-9]{2}:?[0-9]{2}))?"
_DAY_FIRST = re.compile(
    r"(?P<d>[0-9]{1,2})[/.\-](?P<m>[0-9]{1,2})[/.\-](?P<y>[0-9]{4})" + _TIME + _ZONE, re.ASCII
)
_MONTH = r"(?P<mon>[a-z]{3,9})\.?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_MONTH_FIRST = re.compile(
    _WEEKDAY + _MONTH + r"\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>[0-9]{4})" + _TIME + _ZONE,
    re.ASCII,
)
_DAY_MONTH = re.compile(
    _WEEKDAY
    + r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?\.?\s+"
    + _MONTH
    + r",?\s+(?P<y>[0-9]{4})"
    + _TIME
    + _ZONE,
    re.ASCII,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ),
        start=1,
    )
    for name in names.split()
}


def to_utc(value: object, *, default_tz: str | tzinfo = "UTC") -> datetime:
    """Any supported timestamp as an aware UTC datetime; naive values are read in ``default_tz``.

    Numbers (and numeric strings) are epoch seconds or milliseconds, told apart by magnitude
    because exports rarely say which. Day/month order in numeric dates is always day-first: a
    month-first value is rejected, never silently swapped, so one file cannot mix both readings.
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not a date")
    if isinstance(value, datetime):
        return _aware_to_utc(value, default_tz)
    if isinstance(value, date):
        return _aware_to_utc(datetime.combine(value, time()), default_tz)
    if isinstance(value, int | float | Decimal):
        return _from_epoch(Decimal(str(value)))
    if not isinstance(value, str):
        raise ValueError(f"cannot read a date from {type(value).__name__}")
    return _aware_to_utc(_parse_text(value), default_tz)


def _parse_text(text: str) -> datetime:
    """Try each textual shape from the most to the least specific; the first fit wins."""
    s = " ".join(text.split())
    if not s:
        raise ValueError("empty date")
    if _COMPACT_DATE.fullmatch(s):
        return datetime.strptime(s, "%Y%m%d")
    if _NUMERIC.fullmatch(s):
        return _from_epoch(Decimal(s))
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        pass
    lowered = s.lower()
    for pattern in (_DAY_FIRST, _MONTH_FIRST, _DAY_MONTH):
        match = pattern.fullmatch(lowered)
        if match:
            return _from_match(match)
    raise ValueError(f"unrecognised date format: {text[:40]!r}")


def _from_match(match: re.Match[str]) -> datetime:
    """Build the datetime from named groups shared by all non-ISO patterns."""
    parts = match.groupdict()
    if parts.get("mon") is not None:
        month = _MONTHS.get(parts["mon"])
        if month is None:
            raise ValueError(f"unknown month name {parts['mon']!r}")
    else:
        month = int(parts["m"])
    hour = int(parts["H"] or 0)
    if parts["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for am/pm")
        hour = hour % 12 + (12 if parts["ampm"].startswith("p") else 0)
    micro = int((parts["F"] or "0").ljust(6, "0"))
    return datetime(
        int(parts["y"]),
        month,
        int(parts["d"]),
        hour,
        int(parts["M"] or 0),
        int(parts["S"] or 0),
        micro,
        tzinfo=_offset(parts["zone"]),
    )


def _offset(zone: str | None) -> tzinfo | None:
    """A parsed zone suffix as a fixed offset; ``None`` leaves the value naive."""
    if zone is None:
        return None
    if zone in ("z", "utc", "gmt"):
        return UTC
    digits = zone[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(-delta if zone[0] == "-" else delta)


def _from_epoch(number: Decimal) -> datetime:
    """Epoch seconds or milliseconds; the range check runs first so nothing can overflow."""
    if not number.is_finite():
        raise ValueError("epoch timestamp is not a finite number")
    seconds = number / 1000 if abs(number) >= _MILLIS_THRESHOLD else number
    if not _EPOCH_MIN <= seconds < _EPOCH_MAX:
        raise ValueError(f"epoch timestamp {number} is outside {MIN_YEAR}-{MAX_YEAR}")
    micros = int(seconds.quantize(Decimal("0.000001")) * 1_000_000)
    return _EPOCH + timedelta(microseconds=micros)


def _aware_to_utc(value: datetime, default_tz: str | tzinfo) -> datetime:
    """Attach ``default_tz`` to naive values, convert to UTC and enforce the year range."""
    # A margin of one year either side keeps astimezone away from datetime's own limits.
    if not MIN_YEAR - 1 <= value.year <= MAX_YEAR + 1:
        raise ValueError(f"year {value.year} is outside {MIN_YEAR}-{MAX_YEAR}")
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=_zone(default_tz))
    result = value.astimezone(UTC)
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ValueError(f"year {result.year} is outside {MIN_YEAR}-{MAX_YEAR}")
    return result


@lru_cache(maxsize=64)
def _zone(name: str | tzinfo) -> tzinfo:
    """IANA zones are looked up once; an unknown name is a ValueError like any bad input."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
