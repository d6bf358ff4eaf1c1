"""The fraud model's input features for one checkout, rebuilt from its fetched neighbourhood.

Batch features (``gnn.graph_features``, ``gnn.fraud.tabular``) are computed by replaying every
order in time order; online, the same quantities are read from one Cypher query
(``cypher/service/checkout_neighbourhood``: identifiers and account) restricted to orders older
than the checkout. Per identifier counts, velocity, reported chargebacks, the account's history and
the basket are the same definitions. Two are approximations (docs/serving.md measures the
effect): ``component_users`` counts accounts within two identifier hops (the batch union-find
is transitive), floored by the value stored for the account's latest order; ``user_pagerank``
is the value stored for the account's latest order (batch: the last 14-day snapshot).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DAY = 86_400.0
_FRACTION = re.compile(r"\.\d+")
# Identifier label → the Order relationship that reaches it (the marketplace graph model).
IDENTIFIER_RELS = {"Address": "SHIPPED_TO", "Card": "PAID_WITH", "Device": "PLACED_FROM",
                   "IP": "FROM_IP"}  # fmt: skip


@dataclass
class Checkout:
    """A checkout with identifiers already pseudonymised (graph keys), as of ``at``.

    ``exclude`` names a stored order to leave out when re-scoring it as of its own time."""

    user: str
    products: list[str]
    at: datetime
    card: str | None = None
    device: str | None = None
    ip: str | None = None
    address: str | None = None
    email: str | None = None
    total: float | None = None
    platform: str | None = None
    channel: str | None = None
    ship_country: str | None = None
    exclude: str = ""

    def identifiers(self) -> dict[str, str]:
        """Identifier label → key, for those the checkout has."""
        given = {"Card": self.card, "Device": self.device, "IP": self.ip, "Address": self.address}
        return {k: v for k, v in given.items() if v}


@dataclass
class Neighbourhood:
    """The checkout query's answer: one row per identifier found, and the account."""

    identifiers: list[dict[str, Any]]
    account: dict[str, Any]
    stored: dict[str, float] = field(default_factory=dict)  # latest order's stored features

    def neighbours(self) -> dict[str, list[str]]:
        """Relationship type → older order keys the checkout hears from (the causal view)."""
        out: dict[str, list[str]] = {"PLACED": list(self.account.get("recent") or [])}
        for row in self.identifiers:
            out[row["rel"]] = list(row["recent"])
        products: list[str] = []
        for p in self.account.get("products") or []:
            products += [k for k in p["recent"] if k not in products]
        out["CONTAINS"] = products
        return out


def raw_features(
    c: Checkout, nb: Neighbourhood, categories: dict[str, list[str]]
) -> dict[str, float]:
    """Feature name → raw value (before ``log1p``), named as in batch training."""
    t = c.at.timestamp()
    acc, rows = nb.account, {r["kind"]: r for r in nb.identifiers}
    prior = int(acc.get("prior") or 0)
    used = set(acc.get("used") or [])
    own = c.identifiers()
    out: dict[str, float] = {}
    for kind, key in own.items():
        row = rows.get(kind, {})
        users = int(row.get("users", 0)) + (0 if row.get("has_user") else 1)
        out[f"users_per_{kind}"] = users
        out[f"{kind}_orders_24h"] = int(row.get("orders_24h", 0))
        out[f"{kind}_orders_7d"] = int(row.get("orders_7d", 0))
        out[f"known_bad_{kind}"] = int(row.get("known_bad", 0))
        out[f"new_{kind}_for_user"] = float(prior > 0 and key not in used)
    out["user_prior_orders"] = prior
    out["user_degree"] = len(used | set(own.values()))
    tied = {k for k in acc.get("tied") or [] if k}
    for row in nb.identifiers:  # accounts already on this checkout's card, device, address
        if row["kind"] in ("Card", "Device", "Address"):
            tied |= set(row.get("user_keys") or [])
    tied.discard(c.user)
    out["component_users"] = max(1 + len(tied), nb.stored.get("component_users", 0.0))
    out["user_pagerank"] = nb.stored.get("user_pagerank", 0.0)
    out.update({f"tab_{k}": v for k, v in _tabular(c, nb, categories, t).items()})
    return out


def _tabular(
    c: Checkout, nb: Neighbourhood, categories: dict[str, list[str]], t: float
) -> dict[str, float]:
    acc = nb.account
    prices = [p.get("price") for p in acc.get("products") or []]
    logs = [math.log1p(float(p)) if p is not None else 0.0 for p in prices]
    total = c.total if c.total is not None else sum(float(p or 0.0) for p in prices)
    out = {
        "log_total": math.log1p(max(total, 0.0)),
        "hour": (t % DAY) / 3600.0,
        "weekday": math.floor(t / DAY + 4) % 7,
        "basket_lines": float(len(set(c.products))),
        "basket_mean_log_price": sum(logs) / max(len(logs), 1),
    }
    for prop, value in (("platform", c.platform), ("channel", c.channel)):
        values = categories.get(prop, [])
        out[prop] = float(values.index(value)) if value in values else 0.0
    born = acc.get("born")
    out["account_age_days"] = (t - _epoch(born)) / DAY if born is not None else 0.0
    country = acc.get("country")
    ship = c.ship_country or next(
        (r.get("country") for r in nb.identifiers if r["kind"] == "Address"), None
    )
    out["ship_country_mismatch"] = float(ship != country) if ship and country else 0.0
    return out


def parse_time(text: str) -> datetime:
    """An ISO-8601 time as Neo4j writes it (``Z``, nanoseconds) as an aware ``datetime``."""
    text = text.replace("Z", "+00:00")
    m = _FRACTION.search(text)
    if m:  # Python reads at most microseconds
        text = text[: m.start()] + m.group(0)[:7] + text[m.end() :]
    out = datetime.fromisoformat(text)
    return out if out.tzinfo else out.replace(tzinfo=UTC)


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        return parse_time(value).timestamp()
    if hasattr(value, "to_native"):
        return float(value.to_native().timestamp())
    return float(value)
