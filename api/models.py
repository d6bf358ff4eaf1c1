"""A ``ModelProvider`` holding trained artefacts in memory (the fast path of the API).

* recommendations and ``RECOMMENDED`` pair scores: dot products of stored embeddings
  (``api.recommender``), no Neo4j round trip for users the model knows;
* ``LIKELY_SAME_ACTOR`` pair scores: the account-link scores stored in the fraud artefact;
* stored risk: the fraud artefact's score per order, with the graph's evidence (stored path);
* ``POST /orders/score``: raw values pseudonymised like at ingestion by the injected
  ``CheckoutCleaner``, the checkout's neighbourhood fetched in one round trip (one read query),
  the GNN run on it inductively (``gnn.fraud.online``), optionally stored by the injected
  ``OrderWriter`` (``api.orders`` holds both seams).

Whatever a loaded artefact cannot answer falls back to ``StoredScoresProvider``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from anyio import to_thread

from api.concurrency import CpuSlots
from api.errors import ModelUnavailable, NotFound
from api.orders import CheckoutCleaner, OrderWriter, order_risk, scored_order, to_checkout
from api.provider import RiskKind, StoredScoresProvider
from api.recommender import Recommender
from api.schemas import (
    LinkPair,
    LinkScore,
    LinkStatus,
    OrderIn,
    Reason,
    RecommendationItem,
    Recommendations,
    Risk,
)
from cartograph.errors import InvalidInputError
from gnn.artefacts import Artefact
from gnn.fraud.online import OnlineFraudModel, OnlineScore
from gnn.fraud.online_features import Checkout, Neighbourhood
from graph.async_query import AsyncReader
from graph.connection import Driver
from graph.orders import ScoredOrder

MAX_LINKS = 10  # the causal view's fan-in per shared entity (ClassifySpec.max_links)


class LiveProvider(StoredScoresProvider):
    """Serves from artefacts in memory; ``None`` for a task means the stored path answers.
    Without a ``checkout_cleaner`` new orders cannot be scored (503, as with no fraud model);
    without an ``order_writer`` they are scored but ``persist`` is refused."""

    def __init__(
        self,
        driver: Driver,
        database: str = "neo4j",
        timeout_s: float = 10.0,
        recommend: Artefact | None = None,
        fraud: Artefact | None = None,
        checkout_cleaner: CheckoutCleaner | None = None,
        order_writer: OrderWriter | None = None,
        reader: AsyncReader | None = None,
        cpu: CpuSlots | None = None,
    ) -> None:
        super().__init__(driver, database, timeout_s, reader, cpu)
        self.rec = Recommender(recommend) if recommend is not None else None
        self.fraud = OnlineFraudModel(fraud) if fraud is not None else None
        self.order_scores: dict[str, float] = {}
        self.pairs: dict[tuple[str, str], float] = {}
        if fraud is not None and self.fraud is not None:
            scores = fraud.tensors["scores"].tolist()
            self.order_scores = dict(zip(self.fraud.keys, scores, strict=True))
            self.pairs = _pairs(fraud)
        self.checkout_cleaner, self.order_writer = checkout_cleaner, order_writer
        self.titles: dict[str, str | None] = {}
        if self.rec is not None:
            rows = self._run(self.service["product_titles"], limit=10_000_000).rows
            self.titles = {r["product"]: r["title"] for r in rows}

    # --- status -------------------------------------------------------------------------------
    def status(self) -> dict[str, str]:
        out = super().status()
        if self.rec is not None:
            out["recommendation"] = self.rec.version
        if self.fraud is not None:
            out["order_risk"] = self.fraud.version
            out["online_order_risk"] = self.fraud.version
            if self.pairs:
                out["account_link"] = self.fraud.version
        return out

    # --- recommendations and links ------------------------------------------------------------
    def _purchases(self, user: str) -> tuple[bool, list[str]]:
        row = self._run(self.service["user_purchases"], user=user).rows[0]
        return bool(row["found"]), list(row["products"])

    def recommend(self, user_key: str, k: int) -> Recommendations:
        if self.rec is None:
            return super().recommend(user_key, k)
        state = self.rec.state(user_key, self._purchases)
        if state is None:
            raise NotFound(f"no User with key {user_key!r}")
        items = [
            RecommendationItem(
                product=p,
                title=self.titles.get(p),
                score=s,
                rank=rank,
                reason=None
                if via is None
                else Reason(kind="similar_to_purchase", via=via, support=support),
            )
            for rank, (p, s, via, support) in enumerate(self.rec.recommend(user_key, state, k), 1)
        ]
        return Recommendations(user=user_key, model=self.rec.version, items=items)

    def score_links(self, pairs: list[LinkPair]) -> list[LinkScore]:
        answered: dict[int, LinkScore] = {}
        for i, pair in enumerate(pairs):
            score = self._link(pair)
            if score is not None:
                answered[i] = score
        rest = [p for i, p in enumerate(pairs) if i not in answered]
        stored = iter(super().score_links(rest) if rest else [])
        return [answered[i] if i in answered else next(stored) for i in range(len(pairs))]

    def _link(self, pair: LinkPair) -> LinkScore | None:
        base = pair.model_dump()
        if pair.type == "RECOMMENDED" and self.rec is not None:
            if pair.target not in self.rec.item_row:
                return None
            state = self.rec.state(pair.source, self._purchases)
            if state is None:
                return LinkScore(**base, status="unknown_source", score=None, model=None)
            score = self.rec.score(state, pair.target)
            status: LinkStatus = "scored" if score is not None else "not_scored"
            return LinkScore(**base, status=status, score=score, model=self.rec.version)
        if pair.type == "LIKELY_SAME_ACTOR" and self.fraud is not None:
            score = self.pairs.get((pair.source, pair.target))
            if score is None:
                return None  # the stored path tells unknown accounts from unscored pairs
            return LinkScore(**base, status="scored", score=score, model=self.fraud.version)
        return None

    # --- risk ---------------------------------------------------------------------------------
    async def risk(self, kind: RiskKind, key: str) -> Risk:
        out = await super().risk(kind, key)
        if kind == "order" and self.fraud is not None and key in self.order_scores:
            out.risk_score, out.model = self.order_scores[key], self.fraud.version
        return out

    async def order_model(self) -> str | None:
        return self.fraud.version if self.fraud is not None else await super().order_model()

    def order_risk_of(self, order: str, stored: float | None) -> float | None:
        return self.order_scores.get(order, stored)

    def pair_score_of(self, user: str) -> Callable[[str, float | None], float | None]:
        return lambda other, stored: self.pairs.get((user, other), stored)

    async def score_order(self, order: OrderIn) -> Risk:
        """Clean, read the neighbourhood (one round trip, async), score on a CPU slot, and
        store on a worker thread when asked (the writer and recommender are synchronous)."""
        fraud, cleaner = self.fraud, self.checkout_cleaner
        if fraud is None or cleaner is None:
            return await super().score_order(order)
        checkout = to_checkout(order, cleaner)
        row = (await self._aread(self.service["checkout_neighbourhood"],
                                 **neighbourhood_params(checkout))).rows[0]  # fmt: skip
        nb = Neighbourhood(row["identifiers"], row["account"])
        unknown = [p["key"] for p in nb.account["products"] if not p["found"]]
        if unknown:
            raise InvalidInputError(f"unknown product(s): {', '.join(unknown[:5])}")
        scored = await self.cpu.run(fraud.score, checkout, nb)
        key = order.key or f"api:O-{uuid.uuid4().hex[:16]}"
        if order.persist:
            if self.order_writer is None:
                raise ModelUnavailable("this server cannot store orders: no order writer")
            stored = scored_order(key, order, checkout, nb, scored, fraud.version)
            await to_thread.run_sync(self._persist, stored, scored)
        text = self.service["checkout_graph"].text
        return order_risk(key, checkout, nb, scored, fraud.version, text, order.persist)

    def _persist(self, order: ScoredOrder, scored: OnlineScore) -> None:
        """Create the order, then let later checkouts and recommendations see it."""
        assert self.order_writer is not None and self.fraud is not None
        self.order_writer.write(order)
        self.fraud.remember(order.key, scored.states)
        if self.rec is not None:
            self.rec.bought_now(order.user, [p for p, _ in order.items], self._purchases)

    def neighbourhood(self, c: Checkout) -> Neighbourhood:
        """The checkout's identifiers and account as of its time: one read query, one round
        trip (``checkout_neighbourhood``)."""
        row = self._run(self.service["checkout_neighbourhood"], **neighbourhood_params(c)).rows[0]
        return Neighbourhood(row["identifiers"], row["account"])


def neighbourhood_params(c: Checkout) -> dict[str, Any]:
    """The ``checkout_neighbourhood`` parameters of a checkout."""
    ids = c.identifiers()
    return {
        "card": ids.get("Card", ""),
        "device": ids.get("Device", ""),
        "ip": ids.get("IP", ""),
        "address": ids.get("Address", ""),
        "user": c.user,
        "products": c.products,
        "email": c.email or "",
        "order": c.exclude,
        "at": c.at.isoformat(),
        "max_links": MAX_LINKS,
    }


def _pairs(art: Artefact) -> dict[tuple[str, str], float]:
    """Scored account pairs, both directions (the link is symmetric)."""
    idx, sc = art.tensors.get("pair_index"), art.tensors.get("pair_score")
    if idx is None or sc is None:
        return {}
    keys = art.keys[art.manifest["pair_label"]]
    out: dict[tuple[str, str], float] = {}
    for a, b, s in zip(idx[0].tolist(), idx[1].tolist(), sc.tolist(), strict=True):
        out[(keys[a], keys[b])] = out[(keys[b], keys[a])] = max(s, out.get((keys[a], keys[b]), s))
    return out
