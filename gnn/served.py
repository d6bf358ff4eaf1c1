"""What a recommend artefact serves: scores of users over the catalogue, from stored embeddings
(trained models) or from a training-free filter's matrices (popularity, item-kNN, GF-CF, kg-gf).

Why one interface: ``cartograph score`` (every user, in blocks) and the API (one user per
request, users the model never saw included) rank with the same model whichever kind won on
valid, so the served model is the best on valid among *all* models, not only the trainable ones.

* ``block_scores(users)``: ``(B, items)`` scores of known users (artefact rows);
* ``user_vector(row)`` / ``fold_in(items)``: what a user's scores are computed from (an
  embedding; for a filter, the items they bought), ``None`` when there is nothing (popularity
  answers);
* ``scores(vector)``: ``(items,)`` scores of one user;
* ``explain(bought, items)``: per recommended item, the purchase it comes from and the count
  of purchases supporting it (``api.recommender``'s reasons).

An artefact names its kind in ``manifest["scorer"]`` (``{"kind": "filter", ...}`` with the
filter's scalars); without it (artefacts from before filters were served) it is embeddings.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import torch
from torch import Tensor

from gnn.artefacts import Artefact, ArtefactError
from gnn.models.graph_filter import ItemFilter

SIMILAR = 0.5  # cosine at or above which a purchase counts as support for an item (embeddings)


class Served(Protocol):
    """A recommend model ready to score (see the module docstring)."""

    num_users: int
    num_items: int
    # True: a user's scores depend only on their purchases, so a new purchase or an unseen
    # user is scored exactly (filters); False: known users keep their trained vector.
    exact_fold_in: bool
    batch: int  # users per block when scoring everyone (bounds the (batch, items) scores)

    def block_scores(self, users: Tensor) -> Tensor: ...

    def user_vector(self, row: int) -> np.ndarray | None: ...

    def fold_in(self, items: list[int]) -> np.ndarray | None: ...

    def scores(self, vector: np.ndarray) -> np.ndarray: ...

    def explain(self, bought: list[int], items: list[int]) -> list[tuple[int | None, int]]: ...


class EmbeddingServed:
    """Dot products of stored user and item embeddings; an unseen user is folded in as the
    mean of the embeddings of what they bought (one LightGCN-style step with mean weights)."""

    exact_fold_in = False
    batch = 1024

    def __init__(self, user_emb: np.ndarray, item_emb: np.ndarray) -> None:
        if user_emb.shape[1] != item_emb.shape[1]:
            raise ArtefactError("user and item embedding widths differ", code="E525")
        self.user_emb, self.item_emb = user_emb, item_emb
        self.num_users, self.num_items = user_emb.shape[0], item_emb.shape[0]
        self.unit = item_emb / np.maximum(np.linalg.norm(item_emb, axis=1, keepdims=True), 1e-9)
        self._users_t, self._items_t = torch.from_numpy(user_emb), torch.from_numpy(item_emb)

    def block_scores(self, users: Tensor) -> Tensor:
        return self._users_t[users] @ self._items_t.T

    def user_vector(self, row: int) -> np.ndarray | None:
        return self.user_emb[row]

    def fold_in(self, items: list[int]) -> np.ndarray | None:
        return self.item_emb[sorted(items)].mean(0) if items else None

    def scores(self, vector: np.ndarray) -> np.ndarray:
        return np.asarray(self.item_emb @ vector)

    def explain(self, bought: list[int], items: list[int]) -> list[tuple[int | None, int]]:
        """The purchase most similar (cosine) to each item, and how many are ``>= SIMILAR``."""
        if not bought:
            return [(None, 0)] * len(items)
        sims = self.unit[bought] @ self.unit[items].T  # (bought, items)
        best = sims.argmax(0)
        return [
            (bought[int(best[j])], int((sims[:, j] >= SIMILAR).sum())) for j in range(len(items))
        ]


class FilterServed:
    """A training-free filter (:class:`gnn.models.graph_filter.ItemFilter`): a user's
    "vector" is the sorted array of the items they bought, and their scores the filter of that
    row, so an unseen user is scored exactly as a known one with the same purchases."""

    exact_fold_in = True

    def __init__(self, item_filter: ItemFilter) -> None:
        self.filter = item_filter
        self.num_users, self.num_items = item_filter.num_users, item_filter.num_items
        self.batch = item_filter.block
        self.history = item_filter.history.tocsr()

    def block_scores(self, users: Tensor) -> Tensor:
        return self.filter(users)

    def user_vector(self, row: int) -> np.ndarray | None:
        items = self.history.indices[self.history.indptr[row] : self.history.indptr[row + 1]]
        return np.sort(items) if items.size else None

    def fold_in(self, items: list[int]) -> np.ndarray | None:
        return np.asarray(sorted(items), dtype=np.int64) if items else None

    def scores(self, vector: np.ndarray) -> np.ndarray:
        return self.filter.score_rows(self.filter.row(vector.tolist()))[0]

    def explain(self, bought: list[int], items: list[int]) -> list[tuple[int | None, int]]:
        return self.filter.explain(bought, items)


def served_model(art: Artefact) -> Served:
    """The scorer of a recommend artefact (embeddings unless ``manifest["scorer"]`` says
    ``filter``); ``ArtefactError`` when its tensors do not match its keys."""
    try:
        source, target = art.manifest["source"], art.manifest["target"]
        n_users, n_items = len(art.keys[source]), len(art.keys[target])
        scorer: dict[str, Any] = art.manifest.get("scorer") or {"kind": "embedding"}
        if scorer.get("kind") == "filter":
            history = art.tensors["history"]
            item_filter = ItemFilter.from_tensors(history, n_users, n_items, art.tensors, scorer)
            model: Served = FilterServed(item_filter)
        else:
            model = EmbeddingServed(
                art.tensors["source_emb"].float().numpy(), art.tensors["target_emb"].float().numpy()
            )
    except KeyError as exc:
        raise ArtefactError(f"{art.version}: not a recommend artefact ({exc})") from exc
    except ValueError as exc:
        raise ArtefactError(f"{art.version}: damaged filter matrices ({exc})", code="E525") from exc
    if model.num_users != n_users or model.num_items != n_items:
        raise ArtefactError(f"{art.version}: embeddings do not match their keys", code="E525")
    return model


def filter_artefact_tensors(item_filter: ItemFilter) -> tuple[dict[str, Tensor], dict[str, Any]]:
    """``(tensors, scorer)`` an artefact stores for a filter (its ``history`` added by the
    caller, as for embedding models)."""
    return item_filter.to_tensors(), item_filter.config()
