"""Category of a product from its words, learnt from the catalogue's own (noisy) category column.

The web shop's ``category`` column is right for most rows, so a naive Bayes model over title words
trained on it learns which nouns mean which leaf ("kettle" -> Kitchen, "trainers" -> Shoes) without
any hand labels; the few wrong rows are outvoted. For a row that has a column value, the column
is a prior the words can overrule ("kettle" filed under Laptops); marketplace listings, which
have no column, rely on the words of the title and description alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB

_WORD = r"(?u)\b[^\W\d_][^\W\d_'-]*(?:-[^\W\d_]+)*\b"
_DIGITS = re.compile(r"\d")


class CategoryModel:
    """Multinomial naive Bayes over word unigrams and bigrams plus a ``brand=...`` token."""

    def __init__(self, column_accuracy: float = 0.85, alpha: float = 0.3) -> None:
        # Prior weight of a column value: how often the column is taken to be right.
        self.column_accuracy = column_accuracy
        self.vectorizer = CountVectorizer(
            token_pattern=_WORD, ngram_range=(1, 2), binary=True, lowercase=True
        )
        self.model = MultinomialNB(alpha=alpha)
        self.classes: list[str] = []

    @staticmethod
    def _doc(text: str, brand: str | None) -> str:
        tag = f" brandtag{re.sub(r'[^a-z]', '', brand.lower())} " if brand else " "
        return _DIGITS.sub(" ", text) + tag

    def fit(
        self, texts: Sequence[str], brands: Sequence[str | None], leaves: Sequence[str]
    ) -> None:
        """Train on web-shop titles whose cleaned column names a leaf."""
        x = self.vectorizer.fit_transform(
            [self._doc(t, b) for t, b in zip(texts, brands, strict=True)]
        )
        self.model.fit(x, list(leaves))
        self.classes = [str(c) for c in self.model.classes_]

    def posterior(
        self,
        texts: Sequence[str],
        brands: Sequence[str | None],
        column: Sequence[str | None],
        evidence: np.ndarray | None = None,
    ) -> np.ndarray:
        """``(n, n_classes)`` probabilities; rows with a column value use it as the prior, and
        ``evidence`` (log-odds per class, e.g. from product nouns) is added to the words'."""
        x = self.vectorizer.transform([self._doc(t, b) for t, b in zip(texts, brands, strict=True)])
        logp = self.model.predict_log_proba(x)
        for i, leaf in enumerate(column):
            if leaf in self.classes:
                logp[i] = self._leave_one_out(x[i], self.classes.index(leaf), logp[i])
        if evidence is not None:
            logp = logp + evidence
        k = len(self.classes)
        for i, leaf in enumerate(column):
            if leaf in self.classes:
                prior = np.full(k, (1 - self.column_accuracy) / max(k - 1, 1))
                prior[self.classes.index(leaf)] = self.column_accuracy
                logp[i] += np.log(prior)
        logp -= logp.max(axis=1, keepdims=True)
        p = np.exp(logp)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    def _leave_one_out(self, row: Any, label: int, logp: np.ndarray) -> np.ndarray:
        """Log posterior of a training row as if it had not been trained on, so a row filed
        under the wrong category does not vote for its own mistake with its unique words.
        Only the row's own class changes, and only at the row's words: O(words), not O(vocab)."""
        nb = self.model
        idx, vals = row.indices, row.data
        own = nb.feature_count_[label, idx] - vals
        if (own < 0).any() or nb.class_count_[label] < 2:
            return logp  # not a training row after all
        alpha, n_features = nb.alpha, nb.feature_count_.shape[1]
        total = nb.feature_count_[label].sum() - vals.sum() + alpha * n_features
        joint = np.asarray(row @ nb.feature_log_prob_.T).ravel()
        joint[label] = float(vals @ (np.log(own + alpha) - np.log(total)))
        counts = nb.class_count_.copy()
        counts[label] -= 1
        joint += np.log(counts) - np.log(counts.sum())
        return joint - np.logaddexp.reduce(joint)

    def evidence_word(self, text: str, leaf: str) -> tuple[int, int] | None:
        """Character span of the word in ``text`` that most favours ``leaf`` (for provenance)."""
        if leaf not in self.classes:
            return None
        j = self.classes.index(leaf)
        vocab = self.vectorizer.vocabulary_
        logp = self.model.feature_log_prob_
        best: tuple[float, int, int] | None = None
        for m in re.finditer(_WORD, text):
            idx = vocab.get(m.group(0).lower())
            if idx is None:
                continue
            gain = float(logp[j, idx] - np.delete(logp[:, idx], j).max())
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, m.start(), m.end())
        return (best[1], best[2]) if best else None
