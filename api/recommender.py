"""Recommendations from a recommend artefact held in memory, whichever model won on valid.

The artefact's model (``gnn.served``) is either embeddings (scores ``user_emb @ item_emb.T``) or
a training-free filter (popularity, item-kNN, GF-CF, kg-gf: scores a fixed function of the
user's purchases); both score exactly as ``cartograph score`` ranks them, with the user's
purchases masked. A user the model has not seen (created or first buying after training) is
*folded in* from one Cypher lookup of their purchases, cached: for embeddings their vector is
the mean of the embeddings of the products they bought (the user side of one LightGCN-style
propagation step, with mean weights); for a filter the fold-in is exact (its scores need only
the purchases), and a new purchase re-scores even a known user. A user with no purchases gets
the most bought products. Reasons come from the same model: the purchase most similar to the
recommended product (embeddings) or the purchase that adds most to its score (filters).

Ranking is ``gnn.score.rank``, the one rule ``cartograph score`` uses too: descending score, ties
broken by the lower item index; purchases (masked to ``-inf``) are never recommended.

Between model reloads the answer for a user changes only when they buy: ``recommend`` keeps each
user's masked top-K with its reasons (bounded LRU, ``CACHE_USERS``), and serves any smaller K as
a prefix of it (the ranking is a total order, so the top 5 are the first 5 of the top 10). A
reload builds a new ``Recommender`` (an empty cache); ``bought_now`` drops the buyer's entry.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from gnn.artefacts import Artefact, ArtefactError
from gnn.score import rank
from gnn.served import Served, served_model

# A lookup of (exists, bought product keys) for a user the model has not seen.
Purchases = Callable[[str], tuple[bool, list[str]]]
# Users whose top-K is kept: at most K=100 (max_k) tuples each, ~10 KB, so ~100 MB at worst.
CACHE_USERS = 10_000
Ranked = list[tuple[str, float, str | None, int]]


@dataclass
class UserState:
    vector: np.ndarray | None  # an embedding, or a filter user's bought items; None: popularity
    bought: set[int] = field(default_factory=set)
    folded: bool = False


class Recommender:
    """Top-K products for any user from a served model plus a fold-in overlay."""

    def __init__(self, art: Artefact) -> None:
        try:
            self.source, self.target = art.manifest["source"], art.manifest["target"]
            history = art.tensors["history"].long().numpy()
            self.user_keys, self.item_keys = art.keys[self.source], art.keys[self.target]
        except KeyError as exc:
            raise ArtefactError(f"{art.version}: not a recommend artefact ({exc})") from exc
        self.model: Served = served_model(art)
        self.version = art.version
        self.user_row = {k: i for i, k in enumerate(self.user_keys)}
        self.item_row = {k: i for i, k in enumerate(self.item_keys)}
        order = np.argsort(history[0], kind="stable")
        users, items = history[0][order], history[1][order]
        bounds = np.searchsorted(users, np.arange(len(self.user_keys) + 1))
        self.bought = [
            set(items[bounds[u] : bounds[u + 1]].tolist()) for u in range(len(bounds) - 1)
        ]
        self.popular = np.argsort(
            -np.bincount(history[1], minlength=len(self.item_keys)), kind="stable"
        )
        self.overlay: dict[str, UserState] = {}
        # user -> (K it was computed for, ranked list); routes run on a thread pool: one lock.
        self.cache: OrderedDict[str, tuple[int, Ranked]] = OrderedDict()
        self.cache_lock = threading.Lock()

    def state(self, user: str, purchases: Purchases) -> UserState | None:
        """The user's vector and purchases; ``None`` for a user that does not exist."""
        if user in self.overlay:
            return self.overlay[user]
        row = self.user_row.get(user)
        if row is not None:
            return UserState(self.model.user_vector(row), self.bought[row])
        found, products = purchases(user)
        if not found:
            return None
        state = self.fold_in(products)
        self.overlay[user] = state
        return state

    def fold_in(self, products: list[str]) -> UserState:
        rows = sorted({self.item_row[p] for p in products if p in self.item_row})
        return UserState(self.model.fold_in(rows), set(rows), folded=True)

    def bought_now(self, user: str, products: list[str], purchases: Purchases) -> None:
        """A stored order: mask its products; a folded-in user's vector moves with them (any
        user's, for a filter: its scores are exact for the new purchases)."""
        state = self.state(user, purchases) or UserState(None, folded=True)
        rows = {self.item_row[p] for p in products if p in self.item_row}
        bought = state.bought | rows
        vector = state.vector
        if (state.folded or self.model.exact_fold_in) and bought:
            vector = self.model.fold_in(sorted(bought))
        with self.cache_lock:
            self.overlay[user] = UserState(vector, bought, state.folded)
            self.cache.pop(user, None)

    def recommend(self, user: str, state: UserState, k: int) -> Ranked:
        """``top_k`` of ``user`` (whose current state is ``state``), from the cache when a
        K at least as large was computed since their last purchase."""
        with self.cache_lock:
            hit = self.cache.get(user)
            if hit is not None and hit[0] >= k:
                self.cache.move_to_end(user)
                return hit[1][:k]
        ranked = self.top_k(state, k)
        with self.cache_lock:
            if self.overlay.get(user, state) is state:  # not bought meanwhile: still valid
                self.cache[user] = (k, ranked)
                self.cache.move_to_end(user)
                while len(self.cache) > CACHE_USERS:
                    self.cache.popitem(last=False)
        return ranked

    def top_k(self, state: UserState, k: int) -> Ranked:
        """``(product, score, most similar purchase, support)`` best first."""
        if state.vector is None:
            ranked = [int(i) for i in self.popular if int(i) not in state.bought][:k]
            return [(self.item_keys[i], 0.0, None, 0) for i in ranked]
        scores = self.model.scores(state.vector)
        if state.bought:
            scores[list(state.bought)] = -np.inf
        values, order = rank(torch.from_numpy(scores), k)
        top = order[torch.isfinite(values)].numpy().tolist()
        reasons = self.model.explain(sorted(state.bought), top)
        return [
            (self.item_keys[i], float(scores[i]), None if via is None else self.item_keys[via], n)
            for i, (via, n) in zip(top, reasons, strict=True)
        ]

    def score(self, state: UserState, product: str) -> float | None:
        row = self.item_row.get(product)
        if row is None or state.vector is None:
            return None
        return float(self.model.scores(state.vector)[row])
