"""Evidence in parsed product texts: every candidate value for every attribute, and the vote.

The spaCy pipeline (``pipeline.py``) marks words; this module turns the marks of one record's
title and description into ``Mention`` candidates (dropping words inside brands and model names,
weakening words that double as the product noun, splitting GB amounts into RAM or storage) and
settles each attribute by weighted votes, so a title and a description that agree reinforce each
other and a stray word rarely wins.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from extraction.nlp.pipeline import ATTR_KEY, QTY_KEY
from extraction.nlp.units import gigabytes, memory_context
from extraction.nlp.vocab import fold

_COMPAT_CUE = re.compile(r"(?:\bfor|\bwith|\bfits?|\bto)\W*(?:the\s+)?$", re.I)
NOUN_WEIGHT = 0.3  # an attribute word that is also the product noun ("a SSD you will love")
RULE_WEIGHT = 0.9


@dataclass(frozen=True, slots=True)
class Mention:
    """One candidate value for one attribute, where it was written and how much it counts."""

    name: str
    value: str
    field: str
    start: int
    end: int
    weight: float


def longest(mentions: list[Mention]) -> list[Mention]:
    """Drop a mention inside a longer one of the same attribute ("blue" in "navy blue")."""
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda x: (x.start - x.end, x.start)):
        if not any(k.name == m.name and k.start < m.end and m.start < k.end for k in kept):
            kept.append(m)
    return kept


def vote(mentions: Sequence[Mention]) -> tuple[Mention, float] | None:
    """The value with the most weight (ties: the first written) and its share of the weight."""
    if not mentions:
        return None
    score: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    for i, m in enumerate(mentions):
        score[m.value] += m.weight
        first.setdefault(m.value, i)
    best = max(score, key=lambda v: (score[v], -first[v]))
    return mentions[first[best]], score[best] / sum(score.values())


def brand_mentions(docs: Mapping[str, Doc], spellings: Mapping[str, str]) -> list[Mention]:
    """Brand mentions, without those that start a compatible model ("for Zentek Zen 5") when
    the text names another brand too; misspellings count less than exact spellings."""
    found: list[tuple[Mention, bool]] = []
    for field, doc in docs.items():
        model_starts = {s.start for s in doc.spans.get(QTY_KEY, []) if s.label_ == "model"}
        for ent in doc.ents:
            if ent.label_ == "BRAND":
                weight = 1.0 if fold(ent.text) in spellings else 0.7
                m = Mention("brand", ent.id_, field, ent.start_char, ent.end_char, weight)
                found.append((m, ent.end in model_starts))
    makers = [m for m, before_model in found if not before_model]
    return makers or [m for m, _ in found]


def memory_kind(
    text: str, label: str, value: str, span: tuple[int, int], allowed: Sequence[str]
) -> str | None:
    """A GB amount is RAM or storage: the words around it decide, else its size (laptops have
    8-64 GB of RAM and more storage); a category with only one of them takes it."""
    if label not in ("storage", "ram"):
        return label
    said = memory_context(text, *span)
    if said:
        return label if label == said else None
    if "ram" in allowed and "storage" in allowed:
        return label if label == ("ram" if gigabytes(value) <= 64 else "storage") else None
    return label if label in allowed else None


def _spans(doc: Doc, key: str, label: str | None = None) -> list[tuple[int, int]]:
    spans = doc.ents if key == "ents" else doc.spans.get(key, [])
    return [(s.start_char, s.end_char) for s in spans if label is None or s.label_ == label]


def attribute_mentions(docs: Mapping[str, Doc], allowed: Sequence[str]) -> dict[str, list[Mention]]:
    """Candidates per attribute name (in text order) among the ``allowed`` attributes."""
    out: dict[str, list[Mention]] = defaultdict(list)
    for field, doc in docs.items():
        blocked = _spans(doc, "ents", "BRAND") + _spans(doc, QTY_KEY, "model")
        nouns = _spans(doc, "ents", "PRODUCT")
        found: list[Mention] = []
        for span in [*doc.spans.get(ATTR_KEY, []), *doc.spans.get(QTY_KEY, [])]:
            a, b = span.start_char, span.end_char
            name = memory_kind(doc.text, span.label_, span.id_, (a, b), allowed)
            if name is None or name not in allowed or name == "model":
                continue
            if any(x < b and a < y for x, y in blocked):
                continue
            noun = any(x <= a and b <= y for x, y in nouns)
            found.append(Mention(name, span.id_, field, a, b, NOUN_WEIGHT if noun else RULE_WEIGHT))
        for m in sorted(longest(found), key=lambda x: x.start):
            out[m.name].append(m)
    return out


def model_mentions(
    docs: Mapping[str, Doc], brand_of: Mapping[str, str], compat: bool
) -> list[Mention]:
    """Model names: the product's own (not after "for"/"with"), or, with ``compat``, the models
    it fits as "Brand Model" (the brand written before the name, else the name's usual brand)."""
    out: list[Mention] = []
    for field, doc in docs.items():
        brand_end = {e.end: e.id_ for e in doc.ents if e.label_ == "BRAND"}
        for span in doc.spans.get(QTY_KEY, []):
            if span.label_ != "model":
                continue
            a, b = span.start_char, span.end_char
            if compat:
                brand = brand_end.get(span.start) or brand_of.get(fold(span.id_))
                if brand:
                    out.append(Mention("compat", f"{brand} {span.id_}", field, a, b, RULE_WEIGHT))
            elif not _COMPAT_CUE.search(doc.text[max(0, a - 40) : a]):
                out.append(Mention("model", span.id_, field, a, b, RULE_WEIGHT))
    return out


def noun_leaves(docs: Mapping[str, Doc]) -> list[str]:
    """Leaf categories named by product nouns, once per field that names them."""
    return [
        leaf for doc in docs.values() for leaf in {e.id_ for e in doc.ents if e.label_ == "PRODUCT"}
    ]


def noun_span(docs: Mapping[str, Doc], leaf: str) -> Mention | None:
    """The first product noun of ``leaf`` (title before description)."""
    for field, doc in docs.items():
        for ent in doc.ents:
            if ent.label_ == "PRODUCT" and ent.id_ == leaf:
                return Mention("category", leaf, field, ent.start_char, ent.end_char, 1.0)
    return None
