"""American Soundex, for blocking on family names that a typo or a lost umlaut changed.

"Schulz"/"Schhulz" and "Webur"/"Weber" share a code, so such pairs still meet in one block; the
scorer then decides on the real spelling. No phonetic library is a dependency, and Soundex is a
dozen lines.
"""

from __future__ import annotations

_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def soundex(word: str) -> str:
    """Four-character code ("weber" -> "w160"); letters outside a-z are ignored."""
    letters = [ch for ch in word.lower() if "a" <= ch <= "z"]
    if not letters:
        return ""
    out = [letters[0]]
    last = _CODES.get(letters[0], "")
    for ch in letters[1:]:
        code = _CODES.get(ch, "")
        if code and code != last:
            out.append(code)
        if ch not in "hw":  # h and w do not separate letters with the same code
            last = code
    return "".join(out)[:4].ljust(4, "0")
