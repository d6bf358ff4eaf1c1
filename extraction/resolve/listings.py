"""Product listings prepared for matching: text, brand, stated facts and a comparable price.

Brands are found against a vocabulary learnt from the data itself: the web shop's ``brand``
column (``brand_listed``) is noisy, but a spelling that several rows share is a real brand, and a
one-off is a typo of its nearest frequent neighbour. Marketplace listings have no brand field, so
their brand is whichever vocabulary brand their title or description spells (typos allowed).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from extraction.resolve.attributes import Facts, read_facts
from extraction.resolve.lexicon import MARKETING, wordset

# Conversion to EUR for comparing prices across sellers; only the ratio matters, so rough
# rates do (a wrong rate shifts every GBP pair alike). Override via ``ProductConfig``.
DEFAULT_FX_TO_EUR: Mapping[str, float] = {"EUR": 1.0, "GBP": 1.17, "USD": 0.92, "CHF": 1.05}
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"[a-z0-9&-]+")
_TITLE_TOKENS = re.compile(r"[A-Za-z][A-Za-z-]*|\d+")
_UNIT_WORDS = wordset(
    "gb tb w ml cl l kg g gr in inch eu eur size watt watts gigabytes litre liter litres "
    "grams gram kilo ltr"
)
_COMPAT_WORDS = frozenset({"for", "with", "fit", "fits", "your"})


@dataclass(frozen=True, slots=True)
class Listing:
    """One product node as the matcher sees it."""

    key: str
    platform: str
    title: str
    text: str  # title plus description or listed brand: everything the facts are read from
    brands: frozenset[str]
    facts: Facts
    price_eur: float | None
    name_words: frozenset[str] | None  # capitalised title words: the model/line name
    text_words: frozenset[str]
    # What text extraction settled for this record (attribute name -> value, "category" -> leaf
    # path); empty when matching runs without it. See ``products.veto``.
    extracted: Mapping[str, str] = field(default_factory=dict)


def prepare(
    products: Mapping[str, Mapping[str, Any]],
    fx_to_eur: Mapping[str, float] = DEFAULT_FX_TO_EUR,
    extracted: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Listing]:
    """Listings in key order, with brands resolved against the learnt vocabulary.

    ``extracted`` (node key -> attribute name -> value) is what text extraction found in each
    record; it is carried as is for the vetoes.
    """
    extracted = extracted or {}
    vocab = brand_vocabulary(str(p.get("brand_listed") or "") for p in products.values())
    index = _BrandIndex(vocab)
    out = []
    for key in sorted(products):
        props = products[key]
        title = str(props.get("title") or "")
        extra = str(props.get("description") or "")
        listed = str(props.get("brand_listed") or "")
        text = _SPACES.sub(" ", f"{title} . {extra}").strip()
        brands = _brands(listed, text, index)
        facts = read_facts(text)
        out.append(
            Listing(
                key=key,
                platform=str(props.get("platform") or key.split(":", 1)[0]),
                title=title,
                text=text,
                brands=brands,
                facts=facts,
                price_eur=_price_eur(props, fx_to_eur),
                name_words=_name_words(title, facts.rest[: len(title)], index),
                text_words=frozenset(_WORDS.findall(_fold(text))),
                extracted=dict(extracted.get(key, {})),
            )
        )
    return out


def brand_vocabulary(listed: Any) -> dict[str, str]:
    """Spelling (casefolded) -> canonical brand, learnt from a noisy brand column.

    A spelling at least two listings share is a brand, unless it is within typo distance of a
    more frequent one ("dermalsi" -> "dermalis"); one-off spellings map to their nearest brand
    when they are close enough, like any text mention.
    """
    counts = Counter(_fold(b) for b in listed if b and b.strip())
    canon: dict[str, str] = {}
    brands: list[str] = []
    for spelling, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        near = process.extractOne(spelling, brands, scorer=fuzz.ratio, score_cutoff=80)
        if near is not None:
            canon[spelling] = near[0]
        elif n >= 2 and len(spelling) >= 3:
            brands.append(spelling)
            canon[spelling] = spelling
    return canon


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text.casefold()).strip()


class _BrandIndex:
    """The brand vocabulary arranged for lookups whose cost does not grow with it.

    The vocabulary holds every spelling the data used (typos included), so it grows with the
    catalogue; scanning all of it per listing made preparation quadratic. Exact mentions are
    looked up by word tuple instead, and "is this title word a brand word" is answered once
    per distinct word.
    """

    def __init__(self, vocab: dict[str, str]) -> None:
        self.vocab = vocab
        self.brands = sorted(set(vocab.values()))
        self.by_words = {tuple(s.split()): b for s, b in vocab.items()}
        self.lengths = sorted({len(k) for k in self.by_words})
        self.brand_words = sorted({w for s in vocab for w in s.split()})
        self._brandish: dict[str, bool] = {}

    def exact(self, words: list[str]) -> set[str]:
        """Vocabulary brands spelt exactly as a run of ``words`` (not after "for"/"with")."""
        found = set()
        for n in self.lengths:
            for i in range(len(words) - n + 1):
                if i > 0 and words[i - 1] in _COMPAT_WORDS:
                    continue
                brand = self.by_words.get(tuple(words[i : i + n]))
                if brand is not None:
                    found.add(brand)
        return found

    def brandish(self, word: str) -> bool:
        """Whether ``word`` is within typo distance of a word of some brand spelling."""
        known = self._brandish.get(word)
        if known is None:
            hit = process.extractOne(word, self.brand_words, scorer=fuzz.ratio, score_cutoff=80)
            known = self._brandish[word] = hit is not None
        return known


def _brands(listed: str, text: str, index: _BrandIndex) -> frozenset[str]:
    """The listed brand mapped to the vocabulary, else the vocabulary brands the text names.

    Exact spellings win; only without one is a misspelling accepted ("Vrieo" for "vireo").
    A brand named as what a product fits ("case for Zentek Aero 5") is not its maker.
    """
    vocab, brands = index.vocab, index.brands
    if listed.strip() and brands:
        if _fold(listed) in vocab:
            return frozenset({vocab[_fold(listed)]})
        best = process.extractOne(_fold(listed), brands, scorer=fuzz.ratio, score_cutoff=75)
        if best is not None:
            return frozenset({best[0]})
    words = _WORDS.findall(_fold(text))
    exact = index.exact(words)
    if exact:
        return frozenset(exact)
    return frozenset(b for b in brands if len(b) >= 5 and _mentions(words, b.split(), exact=False))


def _mentions(words: list[str], brand: list[str], exact: bool) -> bool:
    """Whether ``brand`` occurs as a run of words (not right after "for"/"with"/"fit")."""
    n = len(brand)
    target = " ".join(brand)
    squeezed = target.replace(" ", "")
    for i in range(len(words) - n + 1):
        if i > 0 and words[i - 1] in _COMPAT_WORDS:
            continue
        window = " ".join(words[i : i + n])
        if exact:
            if window == target:
                return True
        elif max(
            fuzz.ratio(window, target), fuzz.ratio(window.replace(" ", ""), squeezed)
        ) >= 85 or (n > 1 and fuzz.ratio("".join(words[i : i + n + 1]), squeezed) >= 85):
            return True
    return False


def _name_words(title: str, rest: str, index: _BrandIndex) -> frozenset[str] | None:
    """Capitalised title words other than brands, model names, facts, units and marketing:
    the product's own name ("Trail Runner", "QuickCharge"), which generic nouns rarely are.

    ``rest`` is the title with its facts blanked out. Words next to a number ("Halo 4",
    "5 Lite") belong to model names, which the model-number veto compares already (and a
    case names the phone it fits). None when the title is all one case.
    """
    if title.islower() or title.isupper():
        return None
    tokens = _TITLE_TOKENS.findall(rest)
    out = set()
    for k, word in enumerate(tokens):
        low = word.lower()
        near_number = any(0 <= n < len(tokens) and tokens[n].isdigit() for n in (k - 1, k + 1))
        if word.isdigit() or near_number or not word[0].isupper() or len(low) < 2:
            continue
        if low in _UNIT_WORDS or low in MARKETING:
            continue
        if index.brandish(low):
            continue
        out.add(low)
    return frozenset(out)


def missing_name_words(a: Listing, b: Listing) -> int:
    """How many of ``a``'s name words ``b``'s text lacks (typos forgiven)."""
    if not a.name_words:
        return 0
    return sum(
        1
        for w in a.name_words
        if w not in b.text_words
        and not (len(w) >= 5 and any(fuzz.ratio(w, x) >= 85 for x in b.text_words))
    )


def _price_eur(props: Mapping[str, Any], fx: Mapping[str, float]) -> float | None:
    price = props.get("price")
    if not isinstance(price, int | float) or isinstance(price, bool) or price <= 0:
        return None
    rate = fx.get(str(props.get("price_currency") or "EUR").upper())
    return float(price) * rate if rate else None


def price_gap(a: Listing, b: Listing) -> float | None:
    """|log(price a / price b)| in EUR terms, or None when either price is unknown."""
    if a.price_eur is None or b.price_eur is None:
        return None
    return abs(math.log(a.price_eur / b.price_eur))
