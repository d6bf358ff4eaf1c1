"""The OWASP API Security Top 10 (2023), one test per item that applies to this service, through
HTTP against the real test Neo4j (the marketplace graph and keys of conftest.py).

Not applicable here: API6 (no business flow to automate, such as buying), API7 (the service fetches
no caller-supplied URL), API9 (one versioned service, no old or shadow endpoints) and API10 (it
consumes no third-party API). Rate limiting (the rest of API4) is not built yet.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import KeyStore
from api.provider import RiskKind, StoredScoresProvider
from api.reads import SAFE_PROPERTIES
from api.schemas import BrowserLink, OrderIn, Risk
from cartograph.settings import Settings
from graph.orders import ScoredOrder, ScoredOrderWriter

# Properties that hold personal data or model internals: planted on a user, never answered.
PLANTED = {
    "email": "planted.pii@example.org",
    "phone": "+33 6 12 34 56 78",
    "embedding": [0.125, 0.25, 0.5],
    "password_hash": "planted-secret",
}


_NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _h(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


def _error(r: Any, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]


class PersistingProvider(StoredScoresProvider):
    """Stored scores, plus ``score_order`` that persists through the real ``ScoredOrderWriter``
    with a fixed risk: the object-level check lives in the writer, not in the model, so this
    tests it without training one (test_api_models.py does the same with the trained model)."""

    async def score_order(self, order: OrderIn) -> Risk:
        key = order.key or "api:O-owasp"
        if order.persist:
            ScoredOrderWriter(self.driver, self.database).write(
                ScoredOrder(
                    key=key,
                    user=order.user,
                    at=order.created_at or _NOW,
                    total=order.total or 0.0,
                    risk_score=0.5,
                    risk_model="owasp/1",
                    items=[(i.product, i.quantity) for i in order.items],
                    identifiers={"Card": f"card:{order.card_number.replace(' ', '')}"},
                )
            )
        return Risk(
            kind="order",
            key=key,
            risk_score=0.5,
            model="owasp/1",
            reasons=[],
            browser=BrowserLink(query="order_graph", params={}),
            persisted=order.persist,
        )


class BrokenProvider(StoredScoresProvider):
    """A bug below the routes: its message must never reach the caller."""

    async def risk(self, kind: RiskKind, key: str) -> Risk:
        raise RuntimeError(f"secret detail at /srv/cartograph/api/provider.py for {key}")


@pytest.fixture()
def writing_client(settings: Settings, marketplace) -> Iterator[TestClient]:
    provider = PersistingProvider(marketplace.driver, settings.neo4j.database)
    with TestClient(create_app(settings, marketplace.driver, provider=provider)) as c:
        yield c


def _order_state(driver: Any, key: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    records, _, _ = driver.execute_query(
        "MATCH (o:Order {key: $k}) OPTIONAL MATCH (o)-[r]-(x) "
        "RETURN properties(o) AS props, collect([type(r), x.key]) AS rels",
        k=key,
    )
    return dict(records[0]["props"]), sorted(tuple(r) for r in records[0]["rels"])


def _keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys_in(v)}
    return set()


# --- API1: broken object-level authorisation ----------------------------------------------------


def test_api1_persisting_never_overwrites_a_stored_order(
    writing_client: TestClient, keys, marketplace
) -> None:
    h, key = _h(keys["service"]), "api:O-OWASP-API1"
    order = {
        "user": marketplace.user,
        "items": [{"product": marketplace.recommended[0]}],
        "card_number": "4111 1111 1111 1111",
        "total": 12.5,
        "persist": True,
        "key": key,
    }
    other = next(u for u in _users(marketplace) if u != marketplace.user)
    try:
        first = writing_client.post("/orders/score", json=order, headers=h)
        assert first.status_code == 200 and first.json()["persisted"], first.text
        stored = _order_state(marketplace.driver, key)
        again = {**order, "user": other, "card_number": "5500 0000 0000 0004", "total": 9999.0}
        _error(writing_client.post("/orders/score", json=again, headers=h), 409, "E608")
        assert _order_state(marketplace.driver, key) == stored
        # an order of the ingested graph cannot be taken over either
        theirs = _order_state(marketplace.driver, marketplace.order)
        r = writing_client.post(
            "/orders/score", json={**again, "key": marketplace.order}, headers=h
        )
        _error(r, 409, "E608")
        assert _order_state(marketplace.driver, marketplace.order) == theirs
    finally:
        marketplace.driver.execute_query(
            "MATCH (o:Order {key: $k}) DETACH DELETE o WITH count(*) AS n "
            "MATCH (c:Card) WHERE c.key IN ['card:4111111111111111', 'card:5500000000000004'] "
            "DETACH DELETE c",
            k=key,
        )


def _users(marketplace) -> list[str]:
    records, _, _ = marketplace.driver.execute_query(
        "MATCH (u:User) RETURN u.key AS k ORDER BY k LIMIT 2"
    )
    return [r["k"] for r in records]


# --- API2: broken authentication ----------------------------------------------------------------


def test_api2_missing_unknown_and_revoked_keys_are_401(client: TestClient, keys, settings) -> None:
    for method, path in (
        ("GET", "/analyst/queries"),
        ("POST", "/admin/reload"),
        ("GET", "/users/x/risk"),
    ):
        _error(client.request(method, path), 401, "E601")
        _error(client.request(method, path, headers=_h("cgk_0000_guess")), 401, "E601")
        _error(client.request(method, path, headers=_h(keys["admin"][:-2])), 401, "E601")
    store = KeyStore(settings.api.keys_file)
    store.revoke(next(k.id for k in store.records() if k.role == "analyst"))
    _error(client.get("/analyst/queries", headers=_h(keys["analyst"])), 401, "E601")


# --- API3: broken object-property-level authorisation -------------------------------------------


def test_api3_answers_never_carry_pii_or_embeddings(client: TestClient, keys, marketplace) -> None:
    d, user, h = marketplace.driver, marketplace.user, _h(keys["analyst"])
    d.execute_query("MATCH (u:User {key: $u}) SET u += $p", u=user, p=PLANTED)
    try:
        answers = [
            client.post("/analyst/queries/user_risk", json={"params": {"user": user}}, headers=h),
            client.post(
                "/analyst/queries/order_graph",
                json={"params": {"order": marketplace.order}},
                headers=h,
            ),
            client.post(
                "/analyst/queries/ring_graph",
                json={"params": {"identifier": marketplace.ring}},
                headers=h,
            ),
            client.get(f"/users/{user}/recommendations", headers=h),
            client.get(f"/users/{user}/risk", headers=h),
            client.get(f"/orders/{marketplace.order}/risk", headers=h),
        ]
        for r in answers:
            assert r.status_code == 200, r.text
            assert not _keys_in(r.json()) & set(PLANTED), r.url
            for value in ("planted.pii", "+33 6 12", "planted-secret"):
                assert value not in r.text, r.url
        graph = answers[1].json()["rows"]
        nodes = [
            n
            for row in graph
            for v in row.values()
            if isinstance(v, dict)
            for n in v.get("nodes", [])
        ]
        assert nodes and all(set(n) - {"labels"} <= SAFE_PROPERTIES for n in nodes)
    finally:
        d.execute_query(
            "MATCH (u:User {key: $u}) REMOVE u.email, u.phone, u.embedding, u.password_hash", u=user
        )


# --- API4: unrestricted resource consumption ----------------------------------------------------


def test_api4_body_and_parameter_limits(client: TestClient, keys, settings, marketplace) -> None:
    h = {**_h(keys["analyst"]), "content-type": "application/json"}
    start = time.monotonic()
    big = client.post("/analyst/queries/node_counts", content=b" " * 5_000_000, headers=h)
    _error(big, 413, "E609")
    assert time.monotonic() - start < 5.0
    chunked = client.post(
        "/analyst/queries/node_counts", content=iter([b" " * 600_000] * 2), headers=h
    )  # no Content-Length: counted as it streams
    _error(chunked, 413, "E609")
    body = b'{"params": {}, "limit": 10}'
    padded = body + b" " * (settings.api.max_body_bytes - len(body) - 1)
    ok = client.post("/analyst/queries/node_counts", content=padded, headers=h)
    assert ok.status_code == 200, ok.text
    long = {"params": {"identifier": "x" * (settings.api.max_param_chars + 1)}}
    _error(client.post("/analyst/queries/ring_graph", json=long, headers=h), 422, "E600")
    url = f"/users/{marketplace.user}/recommendations?k={settings.api.max_k + 1}"
    _error(client.get(url, headers=h), 422, "E600")
    pair = {"source": marketplace.user, "target": marketplace.bought, "type": "RECOMMENDED"}
    many = {"pairs": [pair] * (settings.api.max_pairs + 1)}
    _error(client.post("/links/score", json=many, headers=h), 422, "E600")


# --- API5: broken function-level authorisation --------------------------------------------------


def test_api5_each_role_only_its_functions(client: TestClient, keys, marketplace) -> None:
    analyst, service, admin = (_h(keys[r]) for r in ("analyst", "service", "admin"))
    order = {
        "user": marketplace.user,
        "items": [{"product": marketplace.recommended[0]}],
        "card_number": "4111 1111 1111 1111",
        "persist": True,
    }
    _error(client.post("/orders/score", json=order, headers=analyst), 403, "E602")
    _error(client.post("/admin/reload", headers=analyst), 403, "E602")
    _error(client.post("/admin/reload", headers=service), 403, "E602")
    _error(client.get("/analyst/queries", headers=service), 403, "E602")
    _error(client.get(f"/users/{marketplace.user}/risk", headers=admin), 403, "E602")
    r = client.post("/admin/reload", headers=admin)  # allowed: stored scores, nothing to reload
    assert r.status_code == 200 and r.json()["reloaded"] is False
    assert client.get("/analyst/queries", headers=analyst).status_code == 200


# --- API8: security misconfiguration ------------------------------------------------------------


def test_api8_no_cors_for_strangers_and_no_stack_traces(
    client: TestClient, keys, settings, marketplace
) -> None:
    evil = {"Origin": "https://evil.example"}
    for r in (
        client.get("/health", headers=evil),
        client.get("/analyst/queries", headers={**evil, **_h(keys["analyst"])}),
        client.options(
            "/analyst/queries", headers={**evil, "Access-Control-Request-Method": "GET"}
        ),
    ):
        assert "access-control-allow-origin" not in r.headers
        assert "access-control-allow-credentials" not in r.headers
    docs = client.get("/docs")
    assert docs.status_code == 200 and "Traceback" not in docs.text
    bad = client.post(
        "/analyst/queries/node_counts",
        content=b"{oops",
        headers={**_h(keys["analyst"]), "content-type": "application/json"},
    )
    _error(bad, 422, "E600")
    app = create_app(settings, marketplace.driver, provider=BrokenProvider(marketplace.driver))
    with TestClient(app, raise_server_exceptions=False) as broken:
        r = broken.get("/users/x/risk", headers=_h(keys["service"]))
    assert r.status_code == 500
    assert r.json() == {"error": {"code": "E690", "message": "internal error (logged)"}}
    for answer in (bad, r):
        assert "Traceback" not in answer.text and "/srv/" not in answer.text
        assert "secret detail" not in answer.text
