"""The spaCy pipeline for product texts: rule components only, no statistical model.

``spacy.blank("en")`` tokenises; an ``entity_ruler`` marks brands (every spelling the catalogue
used) and product nouns; a ``span_ruler`` marks attribute words from the hand-written lexicon (as
overlapping spans, because "cream" may be a colour or a skincare noun and only the category
decides); two small components add brand misspellings (edit distance) and regex amounts, sizes
and model names. Deciding which span fills which attribute is left to ``products.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import spacy
from rapidfuzz.distance import OSA
from spacy.attrs import IDX, IS_ALPHA, LENGTH, LIKE_NUM
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import compile_suffix_regex

from extraction.nlp.lexicon import CATEGORY_NOUNS, LEXICONS, SIZES
from extraction.nlp.units import find_quantities
from extraction.nlp.vocab import Vocabulary, fold, max_typos

ATTR_KEY = "attrs"  # doc.spans key: lexicon attribute words (label = attribute, id = value)
BRAND_PIPES = ("entity_ruler", "cartograph_fuzzy_brands")  # enough to find brand mentions
QTY_KEY = "qty"  # doc.spans key: amounts, sizes and model names (label = kind, id = value)

_SIZE_CODES = "|".join(sorted((k for k in SIZES), key=len, reverse=True))
_SIZE_UPPER = re.compile(rf"(?<![\w.&'-])(?:{_SIZE_CODES}|2XL|Xs|Xl|Xxl)(?![\w'&]|-\w)")
_SIZE_WORDED = re.compile(
    r"\bsize\s?[:\-]?\s?(?:size\s)?(?P<code>xxl|2xl|xl|xs|s|m|l)\b"
    r"|\b(?P<word>extra[ -]small|x-small|extra[ -]large|x-large|xx-large|small|medium|large)\b",
    re.I,
)
_SIZE_WORDS = {w: code for code, words in SIZES.items() for w in words}


def _brand_patterns(vocab: Vocabulary) -> list[dict[str, Any]]:
    return [
        {"label": "BRAND", "pattern": spelling, "id": brand}
        for spelling, brand in sorted(vocab.brand_spellings.items())
    ]


def _noun_patterns(vocab: Vocabulary) -> list[dict[str, Any]]:
    leaves = {fold(leaf): leaf for leaf in vocab.leaf_by_key.values()}
    return [
        {"label": "PRODUCT", "pattern": noun, "id": leaves[key]}
        for key, nouns in sorted(CATEGORY_NOUNS.items())
        if key in leaves
        for noun in nouns
    ]


def _attribute_patterns() -> list[dict[str, Any]]:
    return [
        {"label": name, "pattern": surface, "id": value}
        for name, lexicon in LEXICONS.items()
        if name != "size"  # letter sizes need case and context: see ``RegexSpans``
        for value, surfaces in lexicon.items()
        for surface in surfaces
    ]


@Language.factory("cartograph_fuzzy_brands")
def _make_fuzzy_brands(nlp: Language, name: str) -> FuzzyBrands:
    return FuzzyBrands()


class FuzzyBrands:
    """Marks misspelt brands ("Datavalut", "oVltis") that no exact pattern caught.

    A word qualifies when it is within ``max_typos`` edits of exactly one brand spelling, is not a
    word the lexicon or model vocabulary knows, and is not followed by a number (model names such
    as "Orbit 2 X" sit one edit away from brands such as "Orbix").
    """

    def __init__(self) -> None:
        self.spellings: dict[int, list[tuple[str, str]]] = {}
        self.protected: frozenset[str] = frozenset()

    def configure(self, vocab: Vocabulary, protected: Iterable[str]) -> None:
        by_len: dict[int, list[tuple[str, str]]] = {}
        for spelling, brand in vocab.brand_spellings.items():
            by_len.setdefault(len(spelling.split()), []).append((spelling, brand))
        self.spellings = by_len
        self.protected = frozenset(protected)
        self._match.cache_clear()

    @lru_cache(maxsize=65536)  # noqa: B019 - one instance per pipeline, cleared on configure
    def _match(self, key: str, words: int) -> str | None:
        if key in self.protected or len(key) < 4:
            return None
        found = set()
        for spelling, brand in self.spellings.get(words, ()):
            limit = max_typos(spelling)
            if (
                abs(len(spelling) - len(key)) <= limit
                and OSA.distance(key, spelling, score_cutoff=limit) <= limit
            ):
                found.add(brand)
        return found.pop() if len(found) == 1 else None

    def __call__(self, doc: Doc) -> Doc:
        taken = {i for ent in doc.ents for i in range(ent.start, ent.end)}
        # One array call instead of a Token object per word: this loop runs on every document.
        cols = doc.to_array([IDX, LENGTH, IS_ALPHA, LIKE_NUM]).tolist() if len(doc) else []
        toks = [(idx, idx + n, bool(alpha), bool(num)) for idx, n, alpha, num in cols]
        text = doc.text
        new: list[Span] = []
        for words in sorted(self.spellings, reverse=True):
            for i in range(len(toks) - words + 1):
                if not toks[i][2] or any(j in taken for j in range(i, i + words)):
                    continue
                if i + words < len(toks) and toks[i + words][3]:
                    continue  # followed by a number: a model name such as "Orbit 2"
                brand = self._match(fold(text[toks[i][0] : toks[i + words - 1][1]]), words)
                if brand:
                    new.append(Span(doc, i, i + words, label="BRAND", span_id=brand))
                    taken.update(range(i, i + words))
        if new:
            doc.ents = sorted([*doc.ents, *new], key=lambda s: s.start)
        return doc


@Language.factory("cartograph_regex_spans")
def _make_regex_spans(nlp: Language, name: str) -> RegexSpans:
    return RegexSpans()


class RegexSpans:
    """Amounts (``units.find_quantities``), clothing sizes and model names as spans.

    Model names ("Edge 12 Pro") are a capitalised word, a number and optional suffixes; only names
    in the model vocabulary collected from the whole catalogue are kept, with their majority
    casing, so a stray "Size 10" does not become a model.
    """

    def __init__(self) -> None:
        self.models: Mapping[str, str] = {}
        self.model_re: re.Pattern[str] | None = None

    def configure(self, models: Mapping[str, str], model_re: re.Pattern[str]) -> None:
        self.models = models
        self.model_re = model_re

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        found: list[tuple[int, int, str, str]] = [
            (q.start, q.end, q.kind, q.value) for q in find_quantities(text)
        ]
        found.extend(_sizes(text))
        if self.model_re is not None:
            for m in self.model_re.finditer(text):
                canonical = self.models.get(fold(m.group(0)))
                if canonical:
                    found.append((m.start(), m.end(), "model", canonical))
        spans = []
        for start, end, kind, value in found:
            span = doc.char_span(start, end, label=kind, span_id=value, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[QTY_KEY] = spans
        return doc


def _sizes(text: str) -> list[tuple[int, int, str, str]]:
    out = []
    for m in _SIZE_UPPER.finditer(text):
        code = m.group(0).upper().replace("2XL", "XXL")
        before = text[max(0, m.start() - 3) : m.start()]
        if code == "L" and re.search(r"\d\s?$", before):
            continue  # "1 L" is a litre
        out.append((m.start(), m.end(), "size", code))
    for m in _SIZE_WORDED.finditer(text):
        if m["code"]:
            out.append((m.start(), m.end(), "size", m["code"].upper().replace("2XL", "XXL")))
        else:
            word = m["word"].lower()
            found = _SIZE_WORDS.get(word.replace(" ", "-")) or _SIZE_WORDS.get(
                word.replace("-", " ")
            )
            if found:
                out.append((m.start(), m.end(), "size", found))
    return out


def build_nlp(
    vocab: Vocabulary,
    models: Mapping[str, str],
    model_re: re.Pattern[str],
    protected: Iterable[str],
) -> Language:
    """The product pipeline for one catalogue vocabulary (see the module docstring)."""
    nlp = spacy.blank("en")
    # English keeps "C." and "M." together as initials; in product text they end a sentence
    # ("Connector: USB-C.", "Size: M."), so split them like any other word.
    tokenizer: Any = nlp.tokenizer
    rules = tokenizer.rules or {}
    tokenizer.rules = {k: v for k, v in rules.items() if not re.fullmatch(r"[A-Za-z]\.", k)}
    suffixes = [*(nlp.Defaults.suffixes or ()), r"(?<=\b[A-Za-z])\."]
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(_brand_patterns(vocab) + _noun_patterns(vocab))  # type: ignore[attr-defined]
    fuzzy = nlp.add_pipe("cartograph_fuzzy_brands")
    fuzzy.configure(vocab, protected)  # type: ignore[attr-defined]
    spans = nlp.add_pipe(
        "span_ruler",
        config={
            "spans_key": ATTR_KEY,
            "phrase_matcher_attr": "LOWER",
            "spans_filter": None,
            "overwrite": True,
        },
    )
    spans.add_patterns(_attribute_patterns())  # type: ignore[attr-defined]
    regex = nlp.add_pipe("cartograph_regex_spans")
    regex.configure(models, model_re)  # type: ignore[attr-defined]
    return nlp
