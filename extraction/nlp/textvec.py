"""Sentence vectors with a cache: support and review texts repeat the same sentences.

Encoding is the slow part of the text stage (tens of texts per second on a laptop CPU). Tickets
and reviews are short and formulaic, so splitting them into sentences, masking what varies (order
ids, numbers) and encoding each distinct sentence once cuts the work by an order of magnitude at
scale; a document vector is the mean of its sentence vectors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|\s{2,}")
_SPACE = re.compile(r"\s+")


class Encoder(Protocol):
    """Anything with ``encode(texts) -> (n, dim)`` L2-normalised vectors (``embed.Embedder``)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text`` (split after . ! ? and at line breaks)."""
    spans, start = [], 0
    for m in _SPLIT.finditer(text):
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


class SentenceCache:
    """Encodes each distinct (case- and space-folded) sentence once per process."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.vectors: dict[str, np.ndarray] = {}

    @staticmethod
    def key(sentence: str) -> str:
        return _SPACE.sub(" ", sentence).strip().casefold()

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """``(len(sentences), dim)``; only sentences not seen before reach the encoder."""
        keys = [self.key(s) for s in sentences]
        missing = sorted({k for k in keys if k not in self.vectors})
        if missing:
            for k, v in zip(missing, self.encoder.encode(missing), strict=True):
                self.vectors[k] = v
        if not keys:
            return np.zeros((0, self._dim()), dtype=np.float32)
        return np.stack([self.vectors[k] for k in keys])

    def _dim(self) -> int:
        if self.vectors:
            return len(next(iter(self.vectors.values())))
        return int(self.encoder.encode(["x"]).shape[1])

    def documents(self, docs: Sequence[Sequence[str]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Mean vector per document (re-normalised) and each document's sentence vectors."""
        flat = [s for doc in docs for s in doc]
        vecs = self.encode(flat)
        means, per_doc, i = [], [], 0
        for doc in docs:
            part = vecs[i : i + len(doc)]
            i += len(doc)
            per_doc.append(part)
            m = part.mean(axis=0) if len(part) else np.zeros(vecs.shape[1], dtype=np.float32)
            means.append(m / max(float(np.linalg.norm(m)), 1e-9))
        return np.asarray(means, dtype=np.float32), per_doc
