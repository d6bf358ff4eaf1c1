"""Products named in free text ("better than my old Linnea Cloud"), resolved to listings.

A mention is a brand (found by the product pipeline, misspellings included) followed by name
words ("Linnea Cloud", "zentek vibe 4 mini"), or name words followed by "by/from <brand>". It
resolves to every listing of that brand whose title or description contains the same words in
order, the longest name that matches winning, so "Court Classic" finds all its colour variants.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from extraction.nlp.models import LEXICON_WORDS

_WORD = re.compile(r"[0-9a-z]+")
_CASED = re.compile(r"[A-Za-z]+")
_STOP = frozenset(
    """a an the and or but is was it its this that with for from by of to in on at my your our
    their his her which who so than then as be been are were i we you they me""".split()  # noqa: SIM905
)


def words(text: str) -> tuple[str, ...]:
    """Lower-case word tokens (letters and digits)."""
    return tuple(_WORD.findall(text.lower()))


def _display(name: str) -> str:
    """A name written all lower-case ("linnea cloud") gets capitals ("Cloud"); others stay."""
    return " ".join(w[:1].upper() + w[1:] for w in name.split()) if name.islower() else name


def _contains(hay: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


@dataclass(frozen=True, slots=True)
class Mention:
    """A resolved mention: the name as written after the brand, its span and the listings."""

    name: str
    start: int
    end: int
    targets: tuple[str, ...]


class ProductIndex:
    """Listings by brand with their words, for resolving product names."""

    def __init__(self, nlp: Language, products: Iterable[tuple[str, str | None, str]]) -> None:
        """``products``: (record id, brand, title + description)."""
        self.nlp = nlp
        self.by_brand: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        # (brand, word) -> [capitalised uses, uses]: "Windbreaker" is a name at Northvale,
        # "phone" is not one at Zentek, although both are product nouns.
        self.casing: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        self._resolved: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, ...], int]] = {}
        for rid, brand, text in products:
            if brand:
                self.by_brand[brand].append((rid, words(text)))
                for w in _CASED.findall(text):
                    c = self.casing[(brand, w.lower())]
                    c[0] += w[0].isupper() and not w.isupper()
                    c[1] += 1

    def name_like(self, brand: str, word: str) -> bool:
        """Whether ``word`` may be part of a product name of ``brand``: any word that is not a
        generic lexicon word, and lexicon words the brand's listings mostly capitalise."""
        if word not in LEXICON_WORDS:
            return True
        cap, total = self.casing.get((brand, word), (0, 0))
        return total > 0 and cap * 2 >= total

    def resolve(self, brand: str, name: Sequence[str]) -> tuple[tuple[str, ...], int]:
        """Listings of ``brand`` containing the longest matching prefix of ``name``, and how
        many name words matched (0 when none did). Memoised: reviews name the same few
        products thousands of times, and each lookup scans every listing of the brand."""
        key = (brand, tuple(name))
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(brand, key[1])
        return found

    def _resolve(self, brand: str, name: tuple[str, ...]) -> tuple[tuple[str, ...], int]:
        listings = self.by_brand.get(brand, [])
        for n in range(len(name), 0, -1):
            needle = tuple(name[:n])
            found = tuple(sorted(rid for rid, ws in listings if _contains(ws, needle)))
            if found:
                return found, n
        return (), 0

    def find(self, docs: Sequence[Doc]) -> list[list[Mention]]:
        """Mentions per parsed document (parse with ``self.nlp``)."""
        return [self._doc_mentions(doc) for doc in docs]

    def _doc_mentions(self, doc: Doc) -> list[Mention]:
        out = []
        for ent in doc.ents:
            if ent.label_ != "BRAND":
                continue
            after = self._name_after(doc, ent)
            targets, n = self.resolve(ent.id_, [t.lower_ for t in after])
            if targets:
                end = after[n - 1].idx + len(after[n - 1])
                name = f"{ent.id_} {_display(doc.text[after[0].idx : end])}"
                out.append(Mention(name, ent.start_char, end, targets))
                continue
            before = self._name_before(doc, ent)
            if before:
                targets, n = self.resolve(ent.id_, [t.lower_ for t in before])
                if targets and n == len(before):
                    start = before[0].idx
                    name = (
                        f"{ent.id_} {_display(doc.text[start : before[-1].idx + len(before[-1])])}"
                    )
                    out.append(Mention(name, start, ent.end_char, targets))
        return out

    def _name_after(self, doc: Doc, ent: Span, limit: int = 4) -> list:
        toks = []
        for tok in doc[ent.end : ent.end + limit]:
            if not (tok.is_alpha or tok.like_num) or tok.lower_ in _STOP:
                break
            if not self.name_like(ent.id_, tok.lower_):
                break  # "my old Zentek phone" names no product
            toks.append(tok)
        return toks

    @staticmethod
    def _name_before(doc: Doc, ent: Span, limit: int = 4) -> list:
        """Capitalised words before "by/from <brand>" ("the Cloud by Linnea")."""
        if ent.start < 2 or doc[ent.start - 1].lower_ not in ("by", "from"):
            return []
        toks: list = []
        for tok in reversed(doc[max(0, ent.start - 1 - limit) : ent.start - 1]):
            if not (tok.is_title or tok.like_num or tok.is_upper) or tok.lower_ in LEXICON_WORDS:
                break
            toks.insert(0, tok)
        return toks
