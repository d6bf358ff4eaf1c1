"""Recommendations from a recommend artefact held in memory: one dot product per request.

Scores are ``user_emb @ item_emb.T`` exactly as ``cartograph score`` ranks them, with the
user's purchases masked. A user the model has not seen (created or first buying after
training) is *folded in*: their vector is the mean of the embeddings of the products they
bought (the user side of one LightGCN-style propagation step, with mean weights), computed once
from one Cypher lookup and cached; a user with no purchases gets the most bought products.
Reasons come from the same space: the purchase most similar to the recommended product.

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

# A lookup of (exists, bought product keys) for a user the model has not seen.
Purchases = Callable[[str], tuple[bool, list[str]]]
SIMILAR = 0.5  # cosine at or above which a purchase counts as support for an item
# Users whose top-K is kept: at most K=100 (max_k) tuples each, ~10 KB, so ~100 MB at worst.
CACHE_USERS = 10_000
Ranked = list[tuple[str, float, str | None, int]]


@dataclass
class UserState:
    vector: np.ndarray | None  # None: cold start (popularity)
    bought: set[int] = field(default_factory=set)
    folded: bool = False


class Recommender:
    """Top-K products for any user from stored embeddings plus a fold-in overlay."""

    def __init__(self, art: Artefact) -> None:
        try:
            self.source, self.target = art.manifest["source"], art.manifest["target"]
            user = art.tensors["source_emb"].float().numpy()
            item = art.tensors["target_emb"].float().numpy()
            history = art.tensors["history"].long().numpy()
            self.user_keys, self.item_keys = art.keys[self.source], art.keys[self.target]
        except KeyError as exc:
            raise ArtefactError(f"{art.version}: not a recommend artefact ({exc})") from exc
        if user.shape[0] != len(self.user_keys) or item.shape[0] != len(self.item_keys):
            raise ArtefactError(f"{art.version}: embeddings do not match their keys", code="E525")
        if user.shape[1] != item.shape[1]:
            raise ArtefactError(f"{art.version}: user and item widths differ", code="E525")
        self.version, self.user_emb, self.item_emb = art.version, user, item
        self.unit = item / np.maximum(np.linalg.norm(item, axis=1, keepdims=True), 1e-9)
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
            return UserState(self.user_emb[row], self.bought[row])
        found, products = purchases(user)
        if not found:
            return None
        state = self.fold_in(products)
        self.overlay[user] = state
        return state

    def fold_in(self, products: list[str]) -> UserState:
        rows = sorted({self.item_row[p] for p in products if p in self.item_row})
        vector = self.item_emb[rows].mean(0) if rows else None
        return UserState(vector, set(rows), folded=True)

    def bought_now(self, user: str, products: list[str], purchases: Purchases) -> None:
        """A stored order: mask its products; a folded-in user's vector moves with them."""
        state = self.state(user, purchases) or UserState(None, folded=True)
        rows = {self.item_row[p] for p in products if p in self.item_row}
        bought = state.bought | rows
        vector = state.vector
        if state.folded and bought:
            vector = self.item_emb[sorted(bought)].mean(0)
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
        scores = self.item_emb @ state.vector
        if state.bought:
            scores[list(state.bought)] = -np.inf
        values, order = rank(torch.from_numpy(scores), k)
        top = order[torch.isfinite(values)].numpy()
        bought = sorted(state.bought)
        out = []
        for i in top.tolist():
            via, support = None, 0
            if bought:
                sims = self.unit[bought] @ self.unit[i]
                via, support = (
                    self.item_keys[bought[int(np.argmax(sims))]],
                    int((sims >= SIMILAR).sum()),
                )
            out.append((self.item_keys[i], float(scores[i]), via, support))
        return out

    def score(self, state: UserState, product: str) -> float | None:
        row = self.item_row.get(product)
        if row is None or state.vector is None:
            return None
        return float(self.item_emb[row] @ state.vector)
