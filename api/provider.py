"""The seam between the HTTP routes and the models.

Routes call a ``ModelProvider``; they never know where a score comes from. ``StoredScoresProvider``
answers from what ``cartograph score`` writes back into Neo4j (``RECOMMENDED`` relationships with
score/rank/model, ``risk_score``/``risk_model`` properties, ``LIKELY_SAME_ACTOR`` links), so the API
works as soon as scores exist. A provider holding trained models (embeddings in memory, inductive
order scoring) implements the same four methods and is passed to ``create_app``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

from api.errors import ModelUnavailable, NotFound
from api.reads import ReadResult, read
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

    def score_order(self, order: OrderIn) -> Risk: ...

    def risk(self, kind: RiskKind, key: str) -> Risk: ...


class StoredScoresProvider:
    """Scores read back from the graph; cannot score a new order (no model in memory)."""

    def __init__(self, driver: Driver, database: str = "neo4j", timeout_s: float = 10.0) -> None:
        self.driver = driver
        self.database = database
        self.timeout_s = timeout_s
        self.service = catalogue("service")
        self.analyst = catalogue("queries")

    def _run(self, spec: QuerySpec, limit: int = 1000, **params: Any) -> ReadResult:
        bound = bind(spec, params)  # defaults from the header, types checked
        return read(self.driver, self.database, spec.text, bound, self.timeout_s, limit)

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

    def score_order(self, order: OrderIn) -> Risk:
        raise ModelUnavailable(
            "no order-risk model loaded: scoring a new order needs the trained GNN in memory"
        )

    def risk(self, kind: RiskKind, key: str) -> Risk:
        if kind == "order":
            rows = self._run(self.service["order_risk"], order=key).rows
            if not rows:
                raise NotFound(f"no Order with key {key!r}")
            evidence = self._run(self.analyst["order_neighbourhood"], limit=10, order=key).rows
            reasons = [RiskReason(**r) for r in evidence if r["kind"] != "User"]
            browser = BrowserLink(query="order_graph", params={"order": key})
        else:
            return self.user_risk(key)
        row = rows[0]
        return Risk(
            kind=kind,
            key=key,
            risk_score=row["risk_score"],
            model=row["risk_model"],
            reasons=reasons,
            browser=browser,
        )

    def user_risk(self, key: str) -> Risk:
        """An account's risk from its orders and the accounts tied to it (``api.user_risk``)."""
        rows = self._run(self.service["user_risk_evidence"], user=key).rows
        if not rows:
            raise NotFound(f"no User with key {key!r}")
        score, reasons = user_risk(
            rows[0]["orders"], rows[0]["linked"], self.order_risk_of, self.pair_score_of(key)
        )
        order_model = self.status().get("order_risk")
        return Risk(
            kind="user",
            key=key,
            risk_score=score,
            model=f"{USER_RISK_VERSION} over {order_model or 'chargebacks and links only'}",
            reasons=reasons,
            browser=BrowserLink(query="user_risk", params={"user": key}),
        )

    def order_risk_of(self, order: str, stored: float | None) -> float | None:
        """An order's risk for user-level evidence: the stored score (live models override)."""
        return stored

    def pair_score_of(self, user: str) -> Callable[[str, float | None], float | None]:
        """The account-link score of ``user`` with another account: the stored one here."""
        return lambda other, stored: stored
