"""The seam between the HTTP routes and the models.

Routes call a ``ModelProvider``; they never know where a score comes from. ``StoredScoresProvider``
answers from what ``cartograph score`` writes back into Neo4j (``RECOMMENDED`` relationships with
score/rank/model, ``risk_score``/``risk_model`` properties, ``LIKELY_SAME_ACTOR`` links), so the API
works as soon as scores exist. A provider holding trained models (embeddings in memory, inductive
order scoring) implements the same methods and is passed to ``create_app``.

Order scoring and risk are coroutines: they read through ``read_async`` (the async driver when
the app has an ``AsyncReader``) and run their CPU work through ``CpuSlots`` (``api.concurrency``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

from api.concurrency import CpuSlots
from api.errors import ModelUnavailable, NotFound
from api.reads import ReadResult, read, read_async
from api.schemas import (
    BrowserLink,
    LinkPair,
    LinkScore,
    LinkStatus,
    OrderIn,
    Reason,
    RecommendationItem,
    Recommendations,
    Risk,
    RiskReason,
)
from api.user_risk import VERSION as USER_RISK_VERSION
from api.user_risk import user_risk
from cypher.spec import QuerySpec, bind, catalogue
from graph.async_query import AsyncReader
from graph.connection import Driver

RiskKind = Literal["order", "user"]


class ModelProvider(Protocol):
    """What the scoring endpoints need from a model. Raise ``NotFound`` for unknown keys and
    ``ModelUnavailable`` when nothing can answer yet."""

    def status(self) -> dict[str, str]:
        """Model version per kind of score it can give (empty: not ready)."""
        ...

    def recommend(self, user_key: str, k: int) -> Recommendations: ...

    def score_links(self, pairs: list[LinkPair]) -> list[LinkScore]: ...

    async def score_order(self, order: OrderIn) -> Risk: ...

    async def risk(self, kind: RiskKind, key: str) -> Risk: ...


class StoredScoresProvider:
    """Scores read back from the graph; cannot score a new order (no model in memory).
    ``reader``: the async driver for the async methods (else they read on worker threads);
    ``cpu``: where their CPU work runs."""

    def __init__(
        self,
        driver: Driver,
        database: str = "neo4j",
        timeout_s: float = 10.0,
        reader: AsyncReader | None = None,
        cpu: CpuSlots | None = None,
    ) -> None:
        self.driver = driver
        self.database = database
        self.timeout_s = timeout_s
        self.reader = reader
        self.cpu = cpu or CpuSlots(2)
        self.service = catalogue("service")
        self.analyst = catalogue("queries")

    def _run(self, spec: QuerySpec, limit: int = 1000, **params: Any) -> ReadResult:
        bound = bind(spec, params)  # defaults from the header, types checked
        return read(self.driver, self.database, spec.text, bound, self.timeout_s, limit)

    async def _aread(self, spec: QuerySpec, limit: int = 1000, **params: Any) -> ReadResult:
        """``_run`` for the coroutines: on the async driver, or on a worker thread without one."""
        bound = bind(spec, params)
        return await read_async(
            self.reader, self.driver, self.database, spec.text, bound, self.timeout_s, limit
        )

    def _require(self, label: str, key: str) -> None:
        found = self._run(self.service["node_exists"], label=label, key=key).rows
        if not found or not found[0]["found"]:
            raise NotFound(f"no {label} with key {key!r}")

    def status(self) -> dict[str, str]:
        rows = self._run(self.service["stored_models"]).rows
        return {r["kind"]: str(r["model"]) for r in rows if r["model"] is not None}

    def recommend(self, user_key: str, k: int) -> Recommendations:
        self._require("User", user_key)
        rows = self._run(self.service["user_recommendations"], user=user_key, k=k).rows
        if not rows and "recommendation" not in self.status():
            raise ModelUnavailable("no recommendations stored yet: run `cartograph score`")
        items = [
            RecommendationItem(
                product=r["product"],
                title=r["title"],
                score=r["score"],
                rank=r["rank"],
                reason=None
                if r["reason"] is None
                else Reason(kind=r["reason"], via=r["via"], support=r["support"]),
            )
            for r in rows
        ]
        model = rows[0]["model"] if rows else self.status().get("recommendation")
        return Recommendations(user=user_key, model=model, items=items)

    def score_links(self, pairs: list[LinkPair]) -> list[LinkScore]:
        payload = [{"i": i, **p.model_dump()} for i, p in enumerate(pairs)]
        rows = self._run(self.service["link_scores"], limit=len(pairs), pairs=payload).rows
        out = []
        for pair, row in zip(pairs, sorted(rows, key=lambda r: r["i"]), strict=True):
            status: LinkStatus = "scored"
            if not row["source_found"]:
                status = "unknown_source"
            elif not row["target_found"]:
                status = "unknown_target"
            elif row["score"] is None:
                status = "not_scored"
            out.append(LinkScore(**pair.model_dump(), status=status, score=row["score"],
                                 model=row["model"]))  # fmt: skip
        return out

    async def score_order(self, order: OrderIn) -> Risk:
        raise ModelUnavailable(
            "no order-risk model loaded: scoring a new order needs the trained GNN in memory"
        )

    async def risk(self, kind: RiskKind, key: str) -> Risk:
        if kind == "user":
            return await self.user_risk(key)
        rows = (await self._aread(self.service["order_risk"], order=key)).rows
        if not rows:
            raise NotFound(f"no Order with key {key!r}")
        evidence = await self._aread(self.analyst["order_neighbourhood"], limit=10, order=key)
        reasons = [RiskReason(**r) for r in evidence.rows if r["kind"] != "User"]
        return Risk(
            kind=kind,
            key=key,
            risk_score=rows[0]["risk_score"],
            model=rows[0]["risk_model"],
            reasons=reasons,
            browser=BrowserLink(query="order_graph", params={"order": key}),
        )

    async def user_risk(self, key: str) -> Risk:
        """An account's risk from its orders and the accounts tied to it (``api.user_risk``)."""
        rows = (await self._aread(self.service["user_risk_evidence"], user=key)).rows
        if not rows:
            raise NotFound(f"no User with key {key!r}")
        score, reasons = await self.cpu.run(
            user_risk,
            rows[0]["orders"],
            rows[0]["linked"],
            self.order_risk_of,
            self.pair_score_of(key),
        )
        order_model = await self.order_model()
        return Risk(
            kind="user",
            key=key,
            risk_score=score,
            model=f"{USER_RISK_VERSION} over {order_model or 'chargebacks and links only'}",
            reasons=reasons,
            browser=BrowserLink(query="user_risk", params={"user": key}),
        )

    async def order_model(self) -> str | None:
        """The version of the order-risk scores user risk builds on (``status()["order_risk"]``)."""
        rows = (await self._aread(self.service["stored_models"])).rows
        return next((str(r["model"]) for r in rows if r["kind"] == "order_risk" and r["model"]),
                    None)  # fmt: skip

    def order_risk_of(self, order: str, stored: float | None) -> float | None:
        """An order's risk for user-level evidence: the stored score (live models override)."""
        return stored

    def pair_score_of(self, user: str) -> Callable[[str, float | None], float | None]:
        """The account-link score of ``user`` with another account: the stored one here."""
        return lambda other, stored: stored
