"""Ticket facts: which order a ticket is about (``orders.py``) and what the customer wants
(``intent.py``). Order ids are masked before encoding, so the text vectors carry the request,
not the id, and identical requests share one cached sentence vector."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from extraction.nlp.facts import Fact
from extraction.nlp.intent import DESCRIPTIONS, INTENTS, IntentClassifier
from extraction.nlp.orders import OrderResolver
from extraction.nlp.textvec import Encoder, SentenceCache, sentence_spans

TicketText = tuple[str, str | None, str, str]  # (ticket id, source platform, subject, body)
_IDLIKE = re.compile(r"\b(?=[\w-]*\d)[\w-]{5,}\b")


class TicketExtractor:
    """Order references resolved against ``known_order_ids`` and intent labels per ticket."""

    def __init__(
        self,
        known_order_ids: Iterable[str],
        encoder: Encoder | None = None,
        seed: int = 0,
    ) -> None:
        self.resolver = OrderResolver(known_order_ids)
        self._encoder = encoder
        self._cache: SentenceCache | None = None
        self.classifier = IntentClassifier(seed=seed)

    @property
    def cache(self) -> SentenceCache:
        """The sentence cache, loading the shared encoder on first use."""
        if self._cache is None:
            if self._encoder is None:
                from extraction.nlp.embed import shared_embedder

                self._encoder = shared_embedder()
            self._cache = SentenceCache(self._encoder)
        return self._cache

    def order_refs(self, tickets: Sequence[TicketText]) -> list[Fact]:
        """One ``order_ref`` fact per distinct existing order cited in the subject or body."""
        out: list[Fact] = []
        for tid, source, subject, body in tickets:
            seen: set[str] = set()
            for field, text in (("subject", subject), ("body", body)):
                for ref in self.resolver.find(text or "", source):
                    if ref.order_id in seen:
                        continue
                    seen.add(ref.order_id)
                    out.append(
                        Fact(
                            "Ticket",
                            tid,
                            "order_ref",
                            ref.platform,
                            ref.order_id,
                            field,
                            ref.start,
                            ref.end,
                            ref.confidence,
                            "rule",
                        )
                    )
        return out

    @staticmethod
    def sentences(subject: str, body: str) -> list[str]:
        """The subject and the body's sentences, with id-like tokens masked."""
        parts = [subject.strip()] if subject and subject.strip() else []
        parts += [body[a:b] for a, b in sentence_spans(body or "")]
        return [_IDLIKE.sub("0", p) for p in parts]

    def intents(self, tickets: Sequence[TicketText]) -> list[Fact]:
        """One ``intent`` fact per ticket (document level: no span)."""
        if not tickets:
            return []
        docs = [self.sentences(subject or "", body or "") for _, _, subject, body in tickets]
        doc_vecs, sent_vecs = self.cache.documents(docs)
        labels = [d for k in INTENTS for d in DESCRIPTIONS[k]]
        owners = np.array([INTENTS.index(k) for k in INTENTS for _ in DESCRIPTIONS[k]])
        label_vecs = self.cache.encode(labels)
        texts = [f"{subject or ''}. {body or ''}" for _, _, subject, body in tickets]
        preds = self.classifier.predict(texts, doc_vecs, sent_vecs, label_vecs, owners)
        return [
            Fact("Ticket", tid, "intent", label, label, None, None, None, conf, method)
            for (tid, _, _, _), (label, conf, method) in zip(tickets, preds, strict=True)
        ]

    def extract(self, tickets: Sequence[TicketText]) -> list[Fact]:
        """Order references and intents for every ticket."""
        return self.order_refs(tickets) + self.intents(tickets)
