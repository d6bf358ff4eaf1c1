"""Review facts: overall sentiment, aspects with their polarity, and products named in the text.

See ``sentiment.py`` for how sentiment is learnt from star ratings without letting a review's own
rating decide its label, and ``mentions.py`` for how product names are resolved to listings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from extraction.nlp.facts import Fact
from extraction.nlp.mentions import Mention, ProductIndex
from extraction.nlp.pipeline import BRAND_PIPES
from extraction.nlp.sentiment import SENTIMENTS, SentimentModel, aspects_of
from extraction.nlp.textvec import Encoder, SentenceCache, sentence_spans

ReviewText = tuple[str, int | None, str, str]  # (review id, rating, title, text)
_WEAK = "embedding+rating-weak-labels"  # stars train the model; a review's own stars never decide
Aspects = list[tuple[int, int, list[str]]]


def _split(title: str, text: str) -> tuple[list[str], Aspects]:
    """The review's overall sentences (title and sentences about no single aspect) and its
    aspect sentences as (start, end, aspects)."""
    tagged = [(a, b, aspects_of(text[a:b])) for a, b in sentence_spans(text or "")]
    plain = [text[a:b] for a, b, asp in tagged if not asp]
    overall = [t for t in [(title or "").strip(), *plain] if t] or [text or title or "."]
    return overall, [(a, b, asp) for a, b, asp in tagged if asp]


class ReviewExtractor:
    """Sentiment, aspects and mentions for a batch of reviews."""

    def __init__(
        self, products: ProductIndex | None = None, encoder: Encoder | None = None, seed: int = 0
    ) -> None:
        self.products = products
        self._encoder = encoder
        self._cache: SentenceCache | None = None
        self.model = SentimentModel(seed=seed)

    @property
    def cache(self) -> SentenceCache:
        """The sentence cache, loading the shared encoder on first use."""
        if self._cache is None:
            if self._encoder is None:
                from extraction.nlp.embed import shared_embedder

                self._encoder = shared_embedder()
            self._cache = SentenceCache(self._encoder)
        return self._cache

    def sentiment(self, reviews: Sequence[ReviewText]) -> list[Fact]:
        """One ``sentiment`` fact per review and one ``aspect`` fact per aspect sentence."""
        if not reviews:
            return []
        overall, aspect_sents = zip(
            *(_split(title, text) for _, _, title, text in reviews), strict=True
        )
        x, _ = self.cache.documents(overall)
        proba = self.model.cross_fit_proba(x, [r for _, r, _, _ in reviews])
        out: list[Fact] = []
        for (rid, _, _, _), row in zip(reviews, proba, strict=True):
            j = int(row.argmax())
            label, conf = SENTIMENTS[j], round(float(row[j]), 4)
            out.append(
                Fact("Review", rid, "sentiment", label, label, None, None, None, conf, _WEAK)
            )
        flat = [(i, a, b, names) for i, sents in enumerate(aspect_sents) for a, b, names in sents]
        sentences = [reviews[i][3][a:b] for i, a, b, _ in flat]
        polarity = self.model.proba(self.cache.encode(sentences))
        for (i, a, b, names), row in zip(flat, polarity, strict=True):
            j = int(np.argmax(row))
            conf = round(float(row[j]), 4)
            for name in names:
                fact = Fact(
                    "Review",
                    reviews[i][0],
                    "aspect",
                    name,
                    SENTIMENTS[j],
                    "text",
                    a,
                    b,
                    conf,
                    "rule+embedding",
                )
                out.append(fact)
        return out

    def mentions(self, reviews: Sequence[ReviewText]) -> list[Fact]:
        """``mentions`` facts: one per (review, listing) named in the review text."""
        if self.products is None:
            return []
        found = self._sentence_mentions([text or "" for _, _, _, text in reviews])
        out: list[Fact] = []
        for (rid, _, _, _), mentions in zip(reviews, found, strict=True):
            for m in mentions:
                conf = round(0.9 / max(1.0, len(m.targets) ** 0.25), 3)
                for target in m.targets:
                    out.append(
                        Fact(
                            "Review",
                            rid,
                            "mentions",
                            m.name,
                            target,
                            "text",
                            m.start,
                            m.end,
                            conf,
                            "rule",
                        )
                    )
        return out

    def _sentence_mentions(
        self, texts: Sequence[str], batch_size: int = 1000
    ) -> list[list[Mention]]:
        """Mentions per text, each distinct sentence parsed once and the spans shifted back.

        Reviews repeat stock sentences ("Arrived quickly.") by the thousand, so parsing the
        distinct sentences instead of whole texts is most of the saving. A name never spans a
        sentence break: the split happens after ". ! ?" or at a line break, and a name stops at
        punctuation and whitespace tokens anyway, so the mentions are the ones a whole-text
        parse finds.
        """
        assert self.products is not None
        spans = [sentence_spans(text) for text in texts]
        distinct: dict[str, int] = {}
        for text, parts in zip(texts, spans, strict=True):
            for a, b in parts:
                distinct.setdefault(text[a:b], len(distinct))
        nlp = self.products.nlp
        with nlp.select_pipes(enable=[n for n in nlp.pipe_names if n in BRAND_PIPES]):
            docs = nlp.pipe(distinct, batch_size=batch_size)
            per_sentence = self.products.find(list(docs))
        out: list[list[Mention]] = []
        for text, parts in zip(texts, spans, strict=True):
            found = []
            for a, b in parts:
                for m in per_sentence[distinct[text[a:b]]]:
                    found.append(replace(m, start=m.start + a, end=m.end + a))
            out.append(found)
        return out

    def extract(self, reviews: Sequence[ReviewText]) -> list[Fact]:
        """Sentiment, aspects and mentions for every review."""
        return self.sentiment(reviews) + self.mentions(reviews)
