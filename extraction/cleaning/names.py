"""Person names to (given, family) with consistent casing, for matching and display.

Platforms store "SMITH, John", "john smith" and "Dr. J. Smith"; entity resolution compares the
parts, so word order, titles, whitespace and casing must not make the same person look different.
Casing is rebuilt from scratch ("mcDONALD" -> "McDonald") rather than trusted, because exports
upper- or lower-case whole columns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof"})
_SUFFIXES = {"jr": "Jr.", "sr": "Sr.", "ii": "II", "iii": "III", "iv": "IV"}
_PARTICLES = frozenset(
    {
        "af",
        "bin",
        "da",
        "das",
        "de",
        "del",
        "della",
        "den",
        "der",
        "di",
        "do",
        "dos",
        "du",
        "ibn",
        "la",
        "le",
        "ten",
        "ter",
        "van",
        "von",
        "zu",
    }
)
_PUNCT = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2013": "-",
    }
)
_MAX_LENGTH = 200


@dataclass(frozen=True, slots=True)
class PersonName:
    """Given and family names; ``str`` is "Family, Given", which always parses back to itself."""

    given: str
    family: str

    @property
    def full(self) -> str:
        """Display order: "Given Family"."""
        return " ".join(part for part in (self.given, self.family) if part)

    def __str__(self) -> str:
        return f"{self.family}, {self.given}" if self.family else self.given


def normalise_name(value: object) -> PersonName:
    """Split, strip titles and recase a name written "Family, Given" or "Given Family".

    Without a comma the family name is the last word, or everything from the first family
    particle on ("Ludwig van Beethoven"); a trailing "Jr."/"III" stays with the family name.
    """
    if isinstance(value, PersonName):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"cannot read a name from {type(value).__name__}")
    text = _clean(value)
    if not text.strip(" ,"):
        raise ValueError("empty name")
    if len(text) > _MAX_LENGTH:
        raise ValueError("name too long")
    for ch in text:
        if not (ch in " ,-'." or unicodedata.category(ch)[0] in "LM"):
            raise ValueError(f"unexpected character {ch!r} in name")
    parts = [part.split() for part in text.split(",")]
    if len(parts) == 1 or not parts[0]:
        given, family = _split_words(_strip_titles([w for p in parts for w in p]))
    elif len(parts) == 2 or (len(parts) == 3 and _is_suffix(parts[2])):
        # Titles belong before the given name; one before the family name is left alone, which
        # keeps "Family, Given" output (whatever its first word) a fixed point.
        family = parts[0] + (parts[2] if len(parts) == 3 else [])
        given = _strip_titles(parts[1], allow_empty=True)
    else:
        raise ValueError("too many commas in name")
    return _build(given, family)


def _clean(text: str) -> str:
    """NFC with typographic apostrophes and hyphens folded to ASCII."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).translate(_PUNCT))


def _is_suffix(words: list[str]) -> bool:
    return len(words) == 1 and words[0].rstrip(".").lower() in _SUFFIXES


def _strip_titles(words: list[str], *, allow_empty: bool = False) -> list[str]:
    """Drop leading honorifics; a name that is nothing but a title is not a name."""
    rest = list(words)
    while rest and rest[0].rstrip(".").lower() in _TITLES:
        rest.pop(0)
    if not rest and not allow_empty:
        raise ValueError("name has no words besides a title")
    return rest


def _split_words(words: list[str]) -> tuple[list[str], list[str]]:
    """Given/family split for "Given [Middle] [particles] Family [Suffix]"."""
    suffix: list[str] = []
    if len(words) >= 3 and _is_suffix(words[-1:]):
        words, suffix = words[:-1], words[-1:]
    if len(words) == 1:
        return words, suffix
    start = next(
        (i for i in range(1, len(words) - 1) if words[i].lower() in _PARTICLES), len(words) - 1
    )
    return words[:start], words[start:] + suffix


def _build(given: list[str], family: list[str]) -> PersonName:
    for word in given + family:
        if not any(unicodedata.category(ch)[0] == "L" for ch in word):
            raise ValueError(f"name part {word!r} has no letters")
    cased_given = " ".join(_case_word(word) for word in given)
    cased_family = []
    for i, word in enumerate(family):
        lower = word.lower()
        if i == len(family) - 1 and i > 0 and _is_suffix([word]):
            cased_family.append(_SUFFIXES[word.rstrip(".").lower()])
        elif lower in _PARTICLES and (given or i > 0):
            cased_family.append(lower)
        else:
            cased_family.append(_case_word(word))
    return PersonName(cased_given, " ".join(cased_family))


def _case_word(word: str) -> str:
    """Capitalise each piece between "-", "'" and "." ("o'brien-smith" -> "O'Brien-Smith")."""
    pieces = re.split(r"([-'.])", word)
    return _clean("".join(_case_piece(piece) for piece in pieces))


def _case_piece(piece: str) -> str:
    lower = piece.lower()
    if lower.startswith("mc") and len(lower) > 2 and lower[2].isalpha():
        return "Mc" + lower[2:].capitalize()
    return piece.capitalize()
