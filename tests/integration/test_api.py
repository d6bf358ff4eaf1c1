"""Every endpoint through HTTP against the real test Neo4j: right answers for good requests, the
right 4xx (never a 5xx) for bad ones, and keys and roles enforced. The ``settings``, ``keys``
and ``client`` fixtures are in conftest.py (shared with test_owasp_api.py)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import KeyStore
from cartograph.errors import QueryTimeoutError
from cartograph.settings import Settings
from graph.connection import Neo4jTarget, count_by_label, open_driver
from graph.query import run_read

INJECTION = "x'}) MATCH (n) DETACH DELETE n //"


def _h(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


def _error(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]


# --- operations ----------------------------------------------------------------------------


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    r = client.get("/ready")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ready"] and body["neo4j"] and body["problems"] == []
    assert body["models"]["recommendation"] == "test-model/1"
    assert body["models"]["order_risk"] == "test-risk/1"
    assert body["versions"]["neo4j (Neo4j Kernel)"].startswith("5.")


def test_ready_is_503_when_neo4j_is_unreachable(settings: Settings) -> None:
    dead = open_driver(Neo4jTarget("bolt://127.0.0.1:9", "neo4j", "x"))
    with TestClient(create_app(settings, dead)) as c:
        r = c.get("/ready")
    assert r.status_code == 503
    assert not r.json()["ready"] and not r.json()["neo4j"] and r.json()["problems"]
    assert c.get("/health").status_code == 200


def test_openapi_documents_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/users/{key}/recommendations",
        "/links/score",
        "/orders/score",
        "/orders/{key}/risk",
        "/users/{key}/risk",
        "/analyst/queries/{name}",
        "/ready",
    ):
        assert p in paths
    assert client.get("/docs").status_code == 200


# --- keys and roles --------------------------------------------------------------------------


def test_missing_wrong_and_revoked_keys_are_401(client: TestClient, keys, settings) -> None:
    url = "/users/x/recommendations"
    _error(client.get(url), 401, "E601")
    _error(client.get(url, headers=_h("cgk_nope_nope")), 401, "E601")
    _error(client.get(url, headers=_h(keys["service"] + "x")), 401, "E601")
    store = KeyStore(settings.api.keys_file)
    store.revoke(next(k.id for k in store.records() if k.role == "service"))
    _error(client.get(url, headers=_h(keys["service"])), 401, "E601")


def test_service_role_may_not_run_analyst_queries(client: TestClient, keys) -> None:
    _error(client.get("/analyst/queries", headers=_h(keys["service"])), 403, "E602")
    r = client.post("/analyst/queries/node_counts", json={}, headers=_h(keys["service"]))
    _error(r, 403, "E602")
    assert client.get("/analyst/queries", headers=_h(keys["analyst"])).status_code == 200


# --- analyst queries -------------------------------------------------------------------------


def test_query_catalogue_lists_typed_params(client: TestClient, keys) -> None:
    queries = {
        q["name"]: q for q in client.get("/analyst/queries", headers=_h(keys["analyst"])).json()
    }
    assert {
        "shared_identifier_rings",
        "identifier_velocity",
        "accounts_near_fraud",
        "ring_orders",
        "order_neighbourhood",
        "recommendation_paths",
        "user_risk",
    } <= set(queries)
    hops = next(p for p in queries["accounts_near_fraud"]["params"] if p["name"] == "hops")
    assert (hops["type"], hops["minimum"], hops["maximum"], hops["required"]) == (
        "int",
        1,
        4,
        False,
    )


def test_run_query_returns_rows_and_caps_them(client: TestClient, keys, marketplace) -> None:
    h = _h(keys["analyst"])
    r = client.post(
        "/analyst/queries/ring_orders", json={"params": {"identifier": marketplace.ring}}, headers=h
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["columns"][:2] == ["order", "user"] and body["rows"] and not body["truncated"]
    r = client.post(
        "/analyst/queries/ring_orders",
        json={"params": {"identifier": marketplace.ring}, "limit": 1},
        headers=h,
    )
    assert len(r.json()["rows"]) == 1 and r.json()["truncated"]
    graph = client.post(
        "/analyst/queries/ring_graph", json={"params": {"identifier": marketplace.ring}}, headers=h
    ).json()
    node = graph["rows"][0]["path"]["nodes"][0]
    assert node["labels"] == ["Card"] and set(node) == {"labels", "key"}


def test_shutdown_closes_the_async_driver(settings: Settings, keys, marketplace, reader) -> None:
    """The async reader's driver is opened in the server's loop by the first read and closed
    by the app's shutdown, in that loop (not left to the garbage collector)."""
    with TestClient(create_app(settings, marketplace.driver, reader=reader)) as c:
        r = c.post(
            "/analyst/queries/ring_orders",
            json={"params": {"identifier": marketplace.ring}, "limit": 1},
            headers=_h(keys["analyst"]),
        )
        assert r.status_code == 200, r.text
        assert r.json()["truncated"] and len(r.json()["rows"]) == 1
        assert reader.open_drivers == 1
    assert reader.open_drivers == 0


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        ("no_such_query", {}, 404),
        ("ring_orders", {}, 422),  # required parameter missing
        ("ring_orders", {"params": {"identifier": 3}}, 422),  # wrong type
        ("shared_identifier_rings", {"params": {"min_users": "3"}}, 422),  # string for int
        ("shared_identifier_rings", {"params": {"min_users": 1}}, 422),  # below minimum
        ("accounts_near_fraud", {"params": {"hops": 9}}, 422),  # above maximum
        ("node_counts", {"params": {"cypher": "MATCH (n) DELETE n"}}, 422),  # unknown parameter
        ("node_counts", {"limit": 100_000}, 422),  # over the row cap
        ("node_counts", {"query": "MATCH (n) RETURN n"}, 422),  # no arbitrary Cypher field
        ("node_counts", [1, 2], 422),  # not an object
    ],
)
def test_bad_query_requests_are_4xx(client: TestClient, keys, name: str, body, status: int) -> None:
    r = client.post(f"/analyst/queries/{name}", json=body, headers=_h(keys["analyst"]))
    _error(r, status, "E603" if status == 404 else "E600")


def test_malformed_json_and_bad_names_are_4xx(client: TestClient, keys) -> None:
    h = {**_h(keys["analyst"]), "content-type": "application/json"}
    _error(
        client.post("/analyst/queries/node_counts", content=b"{not json", headers=h), 422, "E600"
    )
    for bad in ("Node_Counts", "..%2Fschema%2F001_constraints", "x" * 80):
        assert client.post(f"/analyst/queries/{bad}", json={}, headers=h).status_code in (404, 422)


def test_injection_looking_parameters_are_only_values(
    client: TestClient, keys, marketplace
) -> None:
    before = count_by_label(marketplace.driver)
    for name, param in (
        ("ring_orders", "identifier"),
        ("user_risk", "user"),
        ("order_neighbourhood", "order"),
    ):
        r = client.post(
            f"/analyst/queries/{name}",
            json={"params": {param: INJECTION}},
            headers=_h(keys["analyst"]),
        )
        assert r.status_code == 200 and r.json()["rows"] == []
    assert client.get(f"/users/{INJECTION}/risk", headers=_h(keys["service"])).status_code == 404
    assert count_by_label(marketplace.driver) == before


def test_reads_are_read_only_and_time_bounded(marketplace) -> None:
    with pytest.raises(Exception, match=r"(?i)write|access mode"):
        intrude = "CREATE (:Intruder {key: 'x'})"
        run_read(marketplace.driver, "neo4j", intrude, {}, 5.0, 10, properties=())
    assert (
        marketplace.driver.execute_query("MATCH (n:Intruder) RETURN count(n) AS c")[0][0]["c"] == 0
    )
    slow = "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 7 = 3 RETURN count(*) AS c"
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError):
        run_read(marketplace.driver, "neo4j", slow, {}, 0.5, 10, properties=())
    assert time.monotonic() - started < 10


# --- scoring ---------------------------------------------------------------------------------


def test_recommendations_from_stored_scores(client: TestClient, keys, marketplace) -> None:
    r = client.get(f"/users/{marketplace.user}/recommendations?k=10", headers=_h(keys["service"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"] == "test-model/1"
    assert [i["product"] for i in body["items"]] == marketplace.recommended  # bought one excluded
    assert [i["rank"] for i in body["items"]] == sorted(i["rank"] for i in body["items"])
    assert all(i["reason"] is None or i["reason"]["kind"] for i in body["items"])
    one = client.get(f"/users/{marketplace.user}/recommendations?k=1", headers=_h(keys["analyst"]))
    assert [i["product"] for i in one.json()["items"]] == marketplace.recommended[:1]


@pytest.mark.parametrize("k", ["0", "-1", "51", "abc", "1e3"])
def test_bad_k_is_422(client: TestClient, keys, marketplace, k: str) -> None:
    r = client.get(f"/users/{marketplace.user}/recommendations?k={k}", headers=_h(keys["service"]))
    _error(r, 422, "E600")


def test_unknown_keys_are_404(client: TestClient, keys) -> None:
    h = _h(keys["service"])
    _error(client.get("/users/nobody:1/recommendations", headers=h), 404, "E603")
    _error(client.get("/users/nobody:1/risk", headers=h), 404, "E603")
    _error(client.get("/orders/nothing:1/risk", headers=h), 404, "E603")


def test_link_scores(client: TestClient, keys, marketplace) -> None:
    pairs = [
        {"source": marketplace.user, "target": marketplace.recommended[0], "type": "RECOMMENDED"},
        {"source": marketplace.user, "target": marketplace.ring, "type": "RECOMMENDED"},
        {"source": "nobody:1", "target": marketplace.recommended[0], "type": "RECOMMENDED"},
        {"source": marketplace.user, "target": marketplace.user, "type": "LIKELY_SAME_ACTOR"},
    ]
    r = client.post("/links/score", json={"pairs": pairs}, headers=_h(keys["service"]))
    assert r.status_code == 200, r.text
    scores = r.json()["scores"]
    assert [s["status"] for s in scores] == [
        "scored",
        "unknown_target",
        "unknown_source",
        "not_scored",
    ]
    assert scores[0]["score"] == pytest.approx(1.0) and scores[0]["model"] == "test-model/1"


@pytest.mark.parametrize(
    "body",
    [
        {"pairs": []},
        {"pairs": [{"source": "a", "target": "b", "type": "DROP"}]},
        {"pairs": [{"source": "", "target": "b", "type": "RECOMMENDED"}]},
        {"pairs": [{"source": "a", "target": "b", "type": "RECOMMENDED"}] * 6},  # over max_pairs
        {"pairs": "all"},
        {},
    ],
)
def test_bad_link_requests_are_422(client: TestClient, keys, body) -> None:
    _error(client.post("/links/score", json=body, headers=_h(keys["service"])), 422, "E600")


def test_order_scoring_validates_then_needs_a_model(client: TestClient, keys, marketplace) -> None:
    h = _h(keys["service"])
    good = {
        "user": marketplace.user,
        "items": [{"product": marketplace.recommended[0], "quantity": 2}],
        "card_number": "4111 1111 1111 1111",
        "ip": "203.0.113.9",
        "email": "someone@example.com",
        "address": {"line1": "1 Main St", "city": "Lyon", "postcode": "69001", "country": "FR"},
    }
    _error(client.post("/orders/score", json=good, headers=h), 503, "E605")
    for bad in (
        {**good, "items": []},
        {**good, "card_number": "abc"},
        {**good, "ip": "999.1.1.1"},
        {**good, "surprise": 1},
        {k: v for k, v in good.items() if k != "user"},
    ):
        _error(client.post("/orders/score", json=bad, headers=h), 422, "E600")


def test_stored_risk_with_reasons(client: TestClient, keys, marketplace) -> None:
    h = _h(keys["service"])
    order = client.get(f"/orders/{marketplace.order}/risk", headers=h).json()
    assert order["risk_score"] == pytest.approx(0.93) and order["model"] == "test-risk/1"
    assert order["reasons"] and order["browser"] == {
        "query": "order_graph",
        "params": {"order": marketplace.order},
    }
    kinds = {"Card": "card:", "Device": "device:", "IP": "ip:", "Address": "address:"}
    assert all(r["node"].startswith(kinds[r["kind"]]) for r in order["reasons"])
    # The user's own risk, from its orders (the stored 0.93, a chargeback) and the accounts
    # sharing its card ring: a noisy-OR of the evidence, each term a reason with its impact.
    user = client.get(f"/users/{marketplace.user}/risk", headers=h).json()
    assert user["risk_score"] >= 1 - (1 - 0.93) * (1 - 0.9) - 1e-6
    assert user["model"].startswith("user-risk/") and "test-risk/1" in user["model"]
    by_kind = {r["kind"]: r for r in user["reasons"]}
    assert (
        by_kind["Order"]["node"] == marketplace.order and by_kind["Chargeback"]["chargebacks"] >= 1
    )
    assert any(r["kind"] == "Card" and r["other_users"] >= 1 for r in user["reasons"])
    impacts = [r["impact"] for r in user["reasons"]]
    assert impacts == sorted(impacts, reverse=True) and impacts[0] > 0


# --- Browser assets --------------------------------------------------------------------------


def test_browser_assets_are_public_with_cors_for_browser(client: TestClient, settings) -> None:
    origin = f"http://127.0.0.1:{settings.neo4j.http_port}"
    r = client.get("/browser/guide", headers={"Origin": origin})
    assert r.status_code == 200 and "<carousel" in r.text
    assert r.headers["access-control-allow-origin"] == origin
    style = client.get("/browser/style.grass", headers={"Origin": "http://evil.example"})
    assert "node.User" in style.text and "access-control-allow-origin" not in style.headers


# --- a real server on loopback ---------------------------------------------------------------


def test_uvicorn_on_loopback(settings: Settings, keys, marketplace) -> None:
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, marketplace.driver), host="127.0.0.1", port=0, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/health").status_code == 200
        r = httpx.get(
            f"{base}/users/{marketplace.user}/recommendations",
            params={"k": 2},
            headers=_h(keys["service"]),
        )
        assert r.status_code == 200 and len(r.json()["items"]) == 2
    finally:
        server.should_exit = True
        thread.join(10)
