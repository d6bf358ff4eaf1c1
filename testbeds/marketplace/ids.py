"""Identifier schemes, random streams and raw identifiers (cards, IPs, devices).

Each platform has its own id convention, as real systems do: the web shop uses sequential
``WS-C000123`` keys, the marketplace opaque hex ids (``MP-8f3a...``) and the app its own user ids.
Opaque ids come from a keyed bijection of a counter, so they look random yet never collide and are
reproducible. Random streams are derived per phase from ``(seed, phase name)`` with a stable hash,
never Python's salted ``hash``, so phases do not shift each other's draws.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np

_M1 = 0x9E3779B97F4A7C15
_M2 = 0xBF58476D1CE4E5B9


def _stable_int(seed: int, name: str) -> int:
    """64-bit integer from (seed, name); stable across processes unlike built-in hash()."""
    digest = hashlib.blake2b(f"{seed}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def streams(seed: int, name: str) -> tuple[np.random.Generator, random.Random]:
    """A numpy Generator (PCG64) and a random.Random for one phase, both derived from the seed."""
    key = _stable_int(seed, name)
    gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed & (2**63 - 1), key])))
    return gen, random.Random(key)


def scramble(i: int, key: int, bits: int) -> int:
    """Keyed bijection on [0, 2**bits): every step (add, odd multiply, xorshift) is invertible."""
    mask = (1 << bits) - 1
    x = (i + key) & mask
    x = (x * (_M1 | 1)) & mask
    x ^= x >> (bits // 2)
    x = (x * (_M2 | 1)) & mask
    x ^= x >> (bits // 2 + 1)
    return x


class OpaqueIds:
    """Generator of prefixed hex ids (``MP-L5c09e1a2b4``) unique per prefix."""

    def __init__(self, seed: int, prefix: str, hex_digits: int) -> None:
        self._prefix = prefix
        self._bits = hex_digits * 4
        self._digits = hex_digits
        self._key = _stable_int(seed, "ids:" + prefix) & ((1 << self._bits) - 1)

    def __call__(self, i: int) -> str:
        """The id of the i-th entity (0-based)."""
        return f"{self._prefix}{scramble(i, self._key, self._bits):0{self._digits}x}"


def seq_id(prefix: str, i: int) -> str:
    """Web-shop style sequential key, 1-based and zero-padded: ``WS-O000123``."""
    return f"{prefix}{i + 1:06d}"


def luhn_check_digit(body: str) -> str:
    """Check digit that makes ``body + digit`` pass the Luhn test used by card schemes."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """True when a digit string passes the Luhn checksum."""
    return number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


_CARD_PREFIXES = ("4", "4", "4", "51", "52", "53", "54", "55", "2221", "2720")


def card_number(rnd: random.Random) -> str:
    """A 16-digit Visa/Mastercard-shaped number with a valid Luhn digit (never a real card)."""
    prefix = rnd.choice(_CARD_PREFIXES)
    body = prefix + "".join(str(rnd.randrange(10)) for _ in range(15 - len(prefix)))
    return body + luhn_check_digit(body)


# First octets of public ranges by country, so IPs carry a plausible geography signal.
_IP_FIRST = {
    "GB": (31, 51, 81, 86, 90, 109, 212),
    "DE": (46, 77, 79, 84, 87, 91, 217),
    "FR": (37, 78, 80, 82, 88, 90, 176),
    "NL": (62, 77, 83, 145, 185, 213),
    "US": (24, 50, 66, 73, 98, 104, 173),
    "ES": (37, 79, 80, 83, 88, 213),
}
_MOBILE_FIRST = (100, 102, 115, 117, 149, 154, 188, 193)


def ipv4(rnd: random.Random, country: str | None = None) -> str:
    """A public-looking IPv4; a country picks a home-broadband range, None a mobile/VPN range."""
    first = rnd.choice(_IP_FIRST[country] if country else _MOBILE_FIRST)
    return f"{first}.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"


def neighbour_ip(ip: str, rnd: random.Random) -> str:
    """Another address in the same /24, as a fraudster rotating through one provider gets."""
    head = ip.rsplit(".", 1)[0]
    return f"{head}.{rnd.randrange(1, 255)}"


def app_device_id(rnd: random.Random) -> str:
    """A UUID-shaped mobile advertising/device id drawn from the given stream."""
    h = f"{rnd.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def browser_id(rnd: random.Random) -> str:
    """A browser fingerprint hash (the same physical browser gives the same id on both sites)."""
    return f"fp_{rnd.getrandbits(64):016x}"
