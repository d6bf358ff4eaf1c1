"""Request and response bodies. Requests forbid unknown fields, so a typo is a 422, not a silent
default; responses say which model produced each score."""

from __future__ import annotations

from datetime import datetime
from ipaddress import IPv4Address, IPv6Address
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Key = Annotated[str, Field(min_length=1, max_length=200, description="a node's `key`")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str = Field(description="stable error code, e.g. E603")
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    ready: bool
    neo4j: bool
    models: dict[str, str] = Field(description="model version per kind of stored score")
    versions: dict[str, str]
    problems: list[str]


# --- analyst queries -------------------------------------------------------------------------


class ParamOut(BaseModel):
    name: str
    type: str
    required: bool
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    doc: str = ""


class QueryOut(BaseModel):
    name: str
    purpose: str
    params: list[ParamOut]
    columns: list[str]
    example: str = Field(description="the parameters in Neo4j Browser's `:params` syntax")


class QueryRun(Strict):
    params: dict[str, Any] = Field(default_factory=dict)
    limit: int | None = Field(default=None, ge=1, description="row cap (at most the server's)")


class QueryResult(BaseModel):
    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = Field(description="true when more rows existed than the row limit")
    row_limit: int


# --- scoring ---------------------------------------------------------------------------------


class Reason(BaseModel):
    kind: str = Field(description="compatible_with | co_purchased | same_brand | same_category")
    via: str | None = Field(description="the product, brand or category on the supporting path")
    support: int = Field(description="how many paths of this kind support the item")


class RecommendationItem(BaseModel):
    product: str
    title: str | None
    score: float
    rank: int
    reason: Reason | None


class Recommendations(BaseModel):
    user: str
    model: str | None
    items: list[RecommendationItem]


LinkType = Literal["RECOMMENDED", "LIKELY_SAME_ACTOR"]


class LinkPair(Strict):
    source: Key
    target: Key
    type: LinkType = Field(
        description="RECOMMENDED: User -> Product; LIKELY_SAME_ACTOR: User - User"
    )


class LinkScoreRequest(Strict):
    pairs: list[LinkPair] = Field(min_length=1)


LinkStatus = Literal["scored", "not_scored", "unknown_source", "unknown_target"]


class LinkScore(BaseModel):
    source: str
    target: str
    type: LinkType
    status: LinkStatus
    score: float | None
    model: str | None


class LinkScores(BaseModel):
    scores: list[LinkScore]


class OrderItem(Strict):
    product: Key
    quantity: int = Field(default=1, ge=1, le=1000)


class PostalAddress(Strict):
    line1: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postcode: str = Field(min_length=1, max_length=20)
    country: str = Field(
        min_length=2,
        max_length=60,
        description="ISO 3166-1 alpha-2 code or a country name ('ES', 'Spain', 'España'), read "
        "by the same cleaner as at ingestion; an unknown name is 422",
    )


class OrderIn(Strict):
    """A checkout as raw values; identifiers are pseudonymised on arrival, like at ingestion."""

    user: Key
    items: list[OrderItem] = Field(min_length=1, max_length=200)
    card_number: str = Field(pattern=r"^[0-9 ]{12,23}$")
    device: str | None = Field(default=None, max_length=200)
    ip: IPv4Address | IPv6Address | None = None
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    address: PostalAddress | None = None
    created_at: datetime | None = None
    persist: bool = False
    # Optional checkout facts the risk model reads (total: else the basket at list prices).
    total: float | None = Field(default=None, ge=0, le=1e9)
    channel: str | None = Field(default=None, max_length=50)
    key: Key | None = Field(default=None, description="the order's key when persisted")


class RiskReason(BaseModel):
    relation: str
    kind: str
    node: str = Field(description="the identifier's pseudonymous key (never the raw value)")
    other_users: int
    chargebacks: int
    impact: float | None = Field(
        default=None, description="online scoring: risk minus the risk without this relation"
    )


class BrowserLink(BaseModel):
    query: str = Field(description="a query from GET /analyst/queries that draws the evidence")
    params: dict[str, Any]


class Risk(BaseModel):
    kind: Literal["order", "user"]
    key: str
    risk_score: float | None = Field(description="null until a risk model has scored this node")
    model: str | None
    reasons: list[RiskReason]
    browser: BrowserLink
    cypher: str | None = Field(default=None, description="the Browser query's text (online)")
    persisted: bool | None = Field(default=None, description="online: the order was stored")


class Reload(BaseModel):
    reloaded: bool = Field(description="false: the new models failed to load; the old serve")
    models: dict[str, str]
    error: str | None
