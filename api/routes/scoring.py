"""Scoring endpoints: recommendations, pair scores, order and user risk. Each names its permission
(``api.keys``) and delegates to the app's ``ModelProvider``; validation happens here, before any
model runs. Order scoring and risk are coroutines (async Neo4j reads, CPU work on bounded worker
threads: ``api.concurrency``); recommendations and pair scores are plain functions that
Starlette runs on its thread pool."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import Ctx, LinkScorer, OrderScorer, RecommendationsReader, RiskReader, ensure
from api.keys import CREATE_ORDERS
from api.schemas import LinkScoreRequest, LinkScores, OrderIn, Recommendations, Risk
from cartograph.errors import InvalidInputError

router = APIRouter(tags=["scoring"])
NodeKey = Annotated[str, Path(min_length=1, max_length=200, description="the node's key")]


@router.get("/users/{key}/recommendations")
def recommendations(
    key: NodeKey,
    ctx: Ctx,
    _: RecommendationsReader,
    k: Annotated[int, Query(ge=1, description="how many products (at most the server's max)")] = 10,
) -> Recommendations:
    """Top-K products for a user, excluding what they already bought, each with a reason."""
    if k > ctx.settings.api.max_k:
        raise InvalidInputError(f"k must be <= {ctx.settings.api.max_k}")
    return ctx.provider.recommend(key, k)


@router.post("/links/score")
def score_links(body: LinkScoreRequest, ctx: Ctx, _: LinkScorer) -> LinkScores:
    """Scores for (source, target, type) pairs; ``status`` says why a score is missing."""
    if len(body.pairs) > ctx.settings.api.max_pairs:
        raise InvalidInputError(f"at most {ctx.settings.api.max_pairs} pairs per request")
    return LinkScores(scores=ctx.provider.score_links(body.pairs))


@router.post("/orders/score")
async def score_order(order: OrderIn, ctx: Ctx, key: OrderScorer) -> Risk:
    """Real-time risk of a new order (503 until a model that can score new orders is loaded).
    ``persist`` also needs ``orders:create``, and only creates: a stored key answers 409."""
    if order.persist:
        ensure(key, CREATE_ORDERS)
    return await ctx.provider.score_order(order)


@router.get("/orders/{key}/risk")
async def order_risk(key: NodeKey, ctx: Ctx, _: RiskReader) -> Risk:
    """The stored risk of an order with the shared identifiers that explain it."""
    return await ctx.provider.risk("order", key)


@router.get("/users/{key}/risk")
async def user_risk(key: NodeKey, ctx: Ctx, _: RiskReader) -> Risk:
    """The stored risk of an account with the identifiers it shares with other accounts."""
    return await ctx.provider.risk("user", key)
