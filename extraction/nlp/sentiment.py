"""Review sentiment and aspects.

**Aspects** are found per sentence with hand-written cue patterns (battery, delivery, quality,
size and fit, price). **Sentiment** of the whole review is learnt, not hand-coded: the star rating
is a weak label (4-5 positive, 3 neutral, 1-2 negative) that is wrong for a few percent of
reviews, so a logistic regression on sentence vectors of the review's *overall* sentences (title
and the sentences that are not about one aspect: an aspect can be criticised in a happy review)
learns what the words say. Predictions are cross-fitted (each fold is predicted by a model that
never saw its ratings), so a review's own rating never decides its label; the rating is used only
as training signal. Aspect polarity comes from the same model applied to the aspect's sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

SENTIMENTS = ("negative", "neutral", "positive")

_R = lambda *ps: tuple(re.compile(p, re.I) for p in ps)  # noqa: E731
ASPECTS: dict[str, tuple[re.Pattern[str], ...]] = {
    "battery": _R(
        r"batter",
        r"\bcharge (?:lasts|holds)",
        r"runtime",
        r"\bcharging time",
        r"lasts? (?:all day|for hours|\d+ hours|long)",
        r"runs? out of (?:power|juice)",
        r"\bjuice\b",
        r"needs? charging",
    ),
    "delivery": _R(
        r"deliver",
        r"\barriv",
        r"shipping",
        r"\bship(?:ped|ment)\b",
        r"dispatch",
        r"courier",
        r"\bparcel",
        r"\bpackag",
        r"postage",
        r"\bpost(?:al|man)?\b",
        r"came (?:a day |two days )?(?:early|late|quick|fast|on time)",
        r"turned up",
        r"showed up",
        r"\bon time\b",
        r"\btransit\b",
        r"tracking",
    ),
    "quality": _R(
        r"quality",
        r"\bbuild\b",
        r"\bbuilt\b",
        r"\bsolid",
        r"flimsy",
        r"sturdy",
        r"well[- ]made",
        r"(?:cheaply|poorly|badly|nicely) made",
        r"\bbroke\b",
        r"durab",
        r"f[ae]ll(?:s)? apart",
        r"craftsmanship",
        r"stitching",
        r"\brobust",
        r"feels? (?:cheap|premium|solid|plasticky|robust|flimsy|sturdy|nice|great)",
        r"\bmaterials?\b",
        r"\bwell built",
        r"\bfinish\b",
        r"\bbroken\b",
        r"stopped working",
        r"\bwears? out",
    ),
    "size_fit": _R(
        r"\bfits?\b",
        r"\bfitting\b",
        r"\bfitted\b",
        r"\bsizing\b",
        r"true to size",
        r"\bsnug",
        r"\btight",
        r"\bloose",
        r"too (?:small|big|large|short|long|narrow|wide)",
        r"runs? (?:\w+ )?(?:sizes? )?(?:small|large|big)",
        r"\bsize\b",
        r"\broomy\b",
        r"\bbaggy\b",
    ),
    "price": _R(
        r"\bprice",
        r"value for money",
        r"\bvalue\b",
        r"overpriced",
        r"expensive",
        r"bargain",
        r"worth the (?:money|price|cost)",
        r"\bcost",
        r"\bcheaper\b",
        r"good deal",
        r"great deal",
        r"\bpricey",
        r"affordable",
        r"\bmoney\b",
        r"\bcheap\b(?! (?:quality|feel|material|plastic|build))",
        r"\bpaid\b",
    ),
}
_CLAUSE = re.compile(r",\s*|;\s*|\s+(?:and|but|though|although|while|yet)\s+", re.I)


def aspects_of(sentence: str) -> list[str]:
    """Aspects a sentence talks about (possibly none): per clause, the aspect whose cue comes
    first, so "Quality is fine for the price" is about quality, not price."""
    return list(_aspects(sentence))


@lru_cache(maxsize=1 << 16)
def _aspects(sentence: str) -> tuple[str, ...]:
    """``aspects_of``, cached: review sentences repeat (templates, stock phrases), and each
    uncached call runs some sixty patterns per clause."""
    found: list[str] = []
    for clause in _CLAUSE.split(sentence):
        first: tuple[int, str] | None = None
        for name, pats in ASPECTS.items():
            for p in pats:
                m = p.search(clause)
                if m and (first is None or m.start() < first[0]):
                    first = (m.start(), name)
        if first and first[1] not in found:
            found.append(first[1])
    return tuple(found)


def rating_label(rating: int | None) -> int | None:
    """Weak sentiment label from stars: index into ``SENTIMENTS`` or None without a rating."""
    if rating is None:
        return None
    return 2 if rating >= 4 else 1 if rating == 3 else 0


class SentimentModel:
    """Logistic regression on review vectors with star ratings as weak labels."""

    def __init__(self, folds: int = 5, c: float = 1.0, seed: int = 0) -> None:
        self.folds = folds
        self.c = c
        self.seed = seed
        self.model: LogisticRegression | None = None

    def _new(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.c, max_iter=3000, class_weight="balanced", random_state=self.seed
        )

    def fit(self, x: np.ndarray, ratings: Sequence[int | None]) -> SentimentModel:
        """Fit on every review with a rating (for texts seen later, e.g. single reviews)."""
        y = _labels(ratings)
        self.model = self._fit(x, y, np.flatnonzero(y >= 0))
        return self

    def _fit(self, x: np.ndarray, y: np.ndarray, rows: np.ndarray) -> LogisticRegression:
        """Fit on ``rows``; identical (vector, label) pairs are merged into one weighted sample,
        which makes templated review text cheap to fit without changing the solution."""
        index: dict[tuple[bytes, int], int] = {}
        keep: list[int] = []
        weight: list[float] = []
        for i in rows:
            k = (x[i].tobytes(), int(y[i]))
            if k in index:
                weight[index[k]] += 1.0
            else:
                index[k] = len(keep)
                keep.append(i)
                weight.append(1.0)
        sel = np.asarray(keep)
        return self._new().fit(x[sel], y[sel], sample_weight=np.asarray(weight))

    def cross_fit_proba(self, x: np.ndarray, ratings: Sequence[int | None]) -> np.ndarray:
        """``(n, 3)`` probabilities, each fold predicted by a model trained on the other folds
        (reviews without a rating are predicted by the model trained on all rated ones)."""
        y = _labels(ratings)
        rated = np.flatnonzero(y >= 0)
        self.fit(x, ratings)
        proba = self.proba(x)
        counts = np.bincount(y[rated], minlength=3)
        if len(rated) < 2 * self.folds or counts.min() < self.folds:
            return proba
        split = StratifiedKFold(self.folds, shuffle=True, random_state=self.seed)
        for train, test in split.split(x[rated], y[rated]):
            model = self._fit(x, y, rated[train])
            proba[rated[test]] = _full_proba(model, x[rated[test]])
        return proba

    def proba(self, x: np.ndarray) -> np.ndarray:
        """``(n, 3)`` probabilities from the model fitted on all rated reviews."""
        if self.model is None:
            raise RuntimeError("SentimentModel.fit has not been called")
        return _full_proba(self.model, x)


def _labels(ratings: Sequence[int | None]) -> np.ndarray:
    return np.array([-1 if (lab := rating_label(r)) is None else lab for r in ratings])


def _full_proba(model: LogisticRegression, x: np.ndarray) -> np.ndarray:
    out = np.zeros((len(x), 3))
    if len(x):
        out[:, model.classes_] = model.predict_proba(x)
    return out
