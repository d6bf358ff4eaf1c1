"""Model names ("Edge 12 Pro") collected from the catalogue's own texts.

A model name is a capitalised word, a one- or two-digit number and optional suffixes from
``lexicon.MODEL_SUFFIXES``, not followed by a unit. Collecting every such name the catalogue
uses (with its majority casing and the brand written before it) gives a closed vocabulary, so
extraction can match names case-insensitively ("orbix edge 10 plus") without accepting "Size 10".
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from extraction.nlp.lexicon import CATEGORY_NOUNS, LEXICONS, MODEL_SUFFIXES
from extraction.nlp.vocab import Vocabulary, fold

_SUFFIX = "|".join(sorted(MODEL_SUFFIXES, key=len, reverse=True))
_UNIT_AFTER = (
    r"(?!\s?-?\s?(?:gb|tb|mb|gigabytes?|terabytes?|ml|cl|dl|l|litres?|liters?|g|kg|gr|grams?"
    r"|w|watts?|inch|inches|in(?!-)|cm|mm|eu|uk|us|pack|pcs|x\s?\d)\b)"
)
_CANDIDATE = re.compile(
    rf"(?<![\w-])(?P<word>[A-Za-z][a-z]{{2,11}}|[A-Z]{{3,12}})\s(?P<num>\d{{1,2}})"
    rf"(?P<suffix>(?:\s(?:{_SUFFIX})(?![\w-]))*+)(?![\w\"”″'.,-]\d|[\w\"”″'%]){_UNIT_AFTER}",
    re.I,
)
# Words that precede a number without naming a model.
_NOT_MODEL_WORDS = frozenset(
    """size eu uk us type pack set of for with and the order no nr number qty x by in on at
    up to over under approx approximately about only from all gen version step level series
    day days week weeks month months year years hour hours min mins minute minutes item items
    piece pieces pcs usb pin ports port display screen memory storage capacity wattage output
    power volume content contents weight net ram rom battery model holds fits colour color
    material length width height depth rated max""".split()  # noqa: SIM905
)


def _lexicon_words() -> frozenset[str]:
    """Single-word lexicon entries ("black", "kettle"): never the first word of a model name."""
    words: set[str] = set()
    for lexicon in LEXICONS.values():
        for surfaces in lexicon.values():
            words.update(s for s in surfaces if " " not in s)
    for nouns in CATEGORY_NOUNS.values():
        words.update(n for n in nouns if " " not in n)
    return frozenset(words)


LEXICON_WORDS = _lexicon_words()


@dataclass(frozen=True)
class ModelVocabulary:
    """Folded model name -> canonical casing, and -> the brand most often written before it."""

    names: Mapping[str, str]
    brand_of: Mapping[str, str]

    def pattern(self) -> re.Pattern[str]:
        """Case-insensitive alternation of every name, longest first, on word boundaries."""
        keys = sorted(self.names, key=lambda k: (-len(k), k))
        alts = "|".join(r"\s+".join(re.escape(p) for p in k.split()) for k in keys) or r"(?!x)x"
        return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.I)


def _brand_before(text: str, start: int, brands: re.Pattern[str], vocab: Vocabulary) -> str | None:
    m = brands.search(text[max(0, start - 40) : start])
    return vocab.brand_spellings.get(fold(m.group(1))) if m else None


def build_models(texts: Iterable[str], vocab: Vocabulary, min_count: int = 2) -> ModelVocabulary:
    """Model names written capitalised at least ``min_count`` times in the catalogue texts, or
    once right after a brand name."""
    spellings = sorted(vocab.brand_spellings, key=len, reverse=True)
    brands = re.compile(r"(?<![\w-])(" + "|".join(re.escape(s) for s in spellings) + r")\s+$", re.I)
    casing: dict[str, Counter[str]] = defaultdict(Counter)
    brand_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for m in _CANDIDATE.finditer(text):
            word = m["word"]
            if not word[0].isupper() or word.lower() in _NOT_MODEL_WORDS:
                continue
            if word.lower() in LEXICON_WORDS or fold(word) in vocab.brand_spellings:
                continue
            name = " ".join(m.group(0).split())
            casing[fold(name)][name] += 1
            brand = _brand_before(text, m.start(), brands, vocab)
            if brand:
                brand_votes[fold(name)][brand] += 1
    names = {
        key: _title(c)
        for key, c in casing.items()
        if sum(c.values()) >= min_count or key in brand_votes  # once, right after a brand
    }
    brand_of = {k: v.most_common(1)[0][0] for k, v in brand_votes.items() if k in names}
    return ModelVocabulary(names=names, brand_of=brand_of)


def _title(counts: Counter[str]) -> str:
    """Majority casing, preferring forms that are not all upper- or all lower-case."""
    mixed = Counter({k: v for k, v in counts.items() if not k.isupper() and not k.islower()})
    pick = mixed or counts
    return min(pick.items(), key=lambda kv: (-kv[1], kv[0]))[0]
