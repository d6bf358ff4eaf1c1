"""A user's risk from the evidence around the account: its orders and the accounts tied to it.

No task trains a user-level model, and an account is risky for reasons a per-order model sees
one at a time: its own orders (their risk scores, a chargeback) and the accounts it shares
cards, devices, e-mails, phones or addresses with (their orders' risk and chargebacks, weighted
by how sure the account-link model is that they are one actor). So the user's risk combines
those pieces of evidence as a noisy-OR, ``1 - prod(1 - t_i)``: any one strong term makes the
account risky, independent weak terms add up, and the result stays in [0, 1]. Each term is a
reason, with its ``impact`` (the score minus the score without it), so the answer says why.

Terms:

* ``PLACED``/``Order``: the highest risk score among the account's orders (the fraud model's);
* ``PLACED``/``Chargeback``: ``CHARGEBACK`` when any of its orders was charged back;
* one per shared identifier: ``w * r`` for the riskiest account behind it, where ``r`` is that
  account's highest order risk (``CHARGEBACK`` if it has a chargeback, when higher) and ``w`` the
  account-link model's score for the pair, or ``SHARED_WEIGHT`` when it has none.

The constants are judgement, stated here rather than hidden: a chargeback is near-certain
evidence of fraud on the account; a shared identifier without a link score is taken as half as
telling as a link the model is sure of (households share addresses and devices).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from api.schemas import RiskReason

CHARGEBACK = 0.9
SHARED_WEIGHT = 0.5
VERSION = "user-risk/noisy-or-v1"


@dataclass(frozen=True)
class _Term:
    value: float
    reason: RiskReason


def _noisy_or(values: Sequence[float]) -> float:
    out = 1.0
    for v in values:
        out *= 1.0 - min(max(v, 0.0), 1.0)
    return 1.0 - out


def user_risk(
    orders: Sequence[dict[str, Any]],
    linked: Sequence[dict[str, Any]],
    order_risk: Callable[[str, float | None], float | None],
    pair_score: Callable[[str, float | None], float | None],
) -> tuple[float, list[RiskReason]]:
    """The score and its reasons (largest impact first). ``orders``: the account's ``{key,
    risk, chargeback}``; ``linked``: accounts sharing an identifier, ``{user, relation, kind,
    node, link, chargebacks, orders: [{key, risk}]}``. ``order_risk(key, stored)`` and
    ``pair_score(user, stored)`` let a live model's scores override the stored ones."""
    terms = _own_terms(orders, order_risk) + _linked_terms(linked, order_risk, pair_score)
    score = _noisy_or([t.value for t in terms])
    reasons = []
    for i, term in enumerate(terms):
        without = _noisy_or([t.value for j, t in enumerate(terms) if j != i])
        reasons.append(term.reason.model_copy(update={"impact": round(score - without, 6)}))
    reasons.sort(key=lambda r: -(r.impact or 0.0))
    return round(score, 6), reasons


def _own_terms(
    orders: Sequence[dict[str, Any]], order_risk: Callable[[str, float | None], float | None]
) -> list[_Term]:
    terms: list[_Term] = []
    scored = [(order_risk(o["key"], o.get("risk")), o["key"]) for o in orders]
    scored = [(r, k) for r, k in scored if r is not None]
    chargebacks = [o["key"] for o in orders if o.get("chargeback")]
    if scored:
        risk, key = max(scored)
        reason = RiskReason(relation="PLACED", kind="Order", node=key, other_users=0,
                            chargebacks=len(chargebacks))  # fmt: skip
        terms.append(_Term(float(risk or 0.0), reason))
    if chargebacks:
        reason = RiskReason(relation="PLACED", kind="Chargeback", node=sorted(chargebacks)[0],
                            other_users=0, chargebacks=len(chargebacks))  # fmt: skip
        terms.append(_Term(CHARGEBACK, reason))
    return terms


def _linked_terms(
    linked: Sequence[dict[str, Any]],
    order_risk: Callable[[str, float | None], float | None],
    pair_score: Callable[[str, float | None], float | None],
) -> list[_Term]:
    """One term per shared identifier: the riskiest account behind it."""
    by_node: dict[str, list[tuple[float, dict[str, Any]]]] = {}
    for v in linked:
        risks = [order_risk(o["key"], o.get("risk")) for o in v.get("orders", [])]
        r = max([x for x in risks if x is not None], default=0.0)
        if v.get("chargebacks"):
            r = max(r, CHARGEBACK)
        link = pair_score(v["user"], v.get("link"))
        w = SHARED_WEIGHT if link is None else float(link)
        by_node.setdefault(v["node"], []).append((w * r, v))
    terms = []
    for node, accounts in sorted(by_node.items()):
        value, worst = max(accounts, key=lambda a: a[0])
        reason = RiskReason(
            relation=worst["relation"], kind=worst["kind"], node=node,
            other_users=len(accounts), chargebacks=sum(int(a[1].get("chargebacks") or 0)
                                                       for a in accounts),
        )  # fmt: skip
        terms.append(_Term(value, reason))
    return terms
