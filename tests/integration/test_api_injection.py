"""Hostile input to every place the API takes a value: Cypher injection, oversized and deeply
nested bodies, huge or negative K, unknown fields, odd Unicode. Each request is refused with a
4xx or answered with the value treated as plain data, and the graph is unchanged afterwards.

``test_api.py`` checks one injection string in three analyst parameters and the bounds of each
field; ``test_api_fuzz.py`` fuzzes the shapes. This file adds the payload list against every
string parameter of every named query and every key the scoring endpoints take, the proof that a
value holding Cypher is matched literally (a node whose key *is* that text is found), and the
size and nesting limits.

Review of the code paths (why nothing can reach Neo4j unparameterised): the API runs only the
files under ``cypher/queries/`` and ``cypher/service/`` (``api.reads.read``, that is
``graph.query.run_read``, with the file's text and a parameter dict); writes go through
``graph.writer.GraphWriter`` (``UNWIND $rows``, labels and types through validated templates);
no route formats a value into query text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import KeyStore
from cartograph.settings import Settings
from cypher.spec import catalogue
from graph.connection import Driver, count_by_label, count_by_type

PAYLOADS = [
    "x'}) MATCH (n) DETACH DELETE n //",
    'x"}) MATCH (n) DETACH DELETE n //',
    "x`}) DETACH DELETE n WITH 1 AS _ MATCH (m) DETACH DELETE m //",
    "' OR 1=1 RETURN n //",
    "}) DETACH DELETE n",
    "x' UNION MATCH (n) SET n.pwned = true RETURN n.key AS key //",
    "$user}) CREATE (:Intruder) //",
    "\\u0027}) DETACH DELETE n //",
    "x\u2019}) DETACH DELETE n //",  # right single quotation mark
    "x\uff07}) DETACH DELETE n //",  # fullwidth apostrophe
    "x\u200b'\u202e}) DETACH DELETE n //",  # zero-width space, right-to-left override
    "x'\n}) CALL db.clearQueryCaches() //",
    "/* */ MATCH (n) DETACH DELETE n",
]
# What a stored key may look like when it holds the payload: matched literally, it must be found.
LITERAL_KEY = "inj:x'}) MATCH (n) DETACH DELETE n // `\u2019"
QUERIES = catalogue("queries")
STRING_PARAMS = sorted(
    (q.name, p.name) for q in QUERIES.values() for p in q.params if p.type == "string"
)


def _params(name: str, param: str, payload: str) -> dict[str, str]:
    """The payload in ``param`` and in every other required (string) parameter."""
    return {p.name: payload for p in QUERIES[name].params if p.name == param or p.required}


SLOW_S = 10.0  # every refusal below is cheap; this only catches a parse or query that runs away


@pytest.fixture()
def api(tmp_path: Path, marketplace) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(api={"keys_file": tmp_path / "keys.json", "query_timeout_s": 5.0})
    store = KeyStore(settings.api.keys_file)
    tokens = {r: store.create(r, f"injection {r}")[1] for r in ("service", "analyst")}
    with TestClient(create_app(settings, marketplace.driver)) as client:
        yield client, tokens


def _fingerprint(driver: Driver) -> tuple[dict[str, int], dict[str, int], int]:
    """Counts per label and type, and how many nodes carry a property the payloads try to set."""
    records, _, _ = driver.execute_query(
        "MATCH (n) WHERE n.pwned IS NOT NULL OR n:Intruder RETURN count(n) AS c"
    )
    return count_by_label(driver), count_by_type(driver), records[0]["c"]


def _h(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


def test_payloads_in_every_string_parameter_are_only_data(api, marketplace) -> None:
    client, tokens = api
    assert STRING_PARAMS, "no string parameters found in cypher/queries"
    before = _fingerprint(marketplace.driver)
    for name, param in STRING_PARAMS:
        for payload in PAYLOADS:
            r = client.post(
                f"/analyst/queries/{name}",
                json={"params": _params(name, param, payload)},
                headers=_h(tokens["analyst"]),
            )
            assert r.status_code == 200, (name, param, payload, r.text)
            # No stored key or label equals the payload, so a literal match finds nothing.
            assert r.json()["rows"] == [], (name, param, payload, r.json()["rows"][:2])
    assert _fingerprint(marketplace.driver) == before


def test_payloads_as_keys_of_scoring_endpoints(api, marketplace) -> None:
    client, tokens = api
    h = _h(tokens["service"])
    before = _fingerprint(marketplace.driver)
    for payload in PAYLOADS:
        key = quote(payload.replace("/", "|"), safe="")  # a '/' would end the path segment
        for path in (f"/users/{key}/recommendations", f"/users/{key}/risk", f"/orders/{key}/risk"):
            r = client.get(path, headers=h)
            assert r.status_code == 404 and r.json()["error"]["code"] == "E603", (path, r.text)
        pairs = [
            {"source": payload, "target": marketplace.recommended[0], "type": "RECOMMENDED"},
            {"source": marketplace.user, "target": payload, "type": "LIKELY_SAME_ACTOR"},
        ]
        r = client.post("/links/score", json={"pairs": pairs}, headers=h)
        assert r.status_code == 200, r.text
        assert [s["status"] for s in r.json()["scores"]] == ["unknown_source", "unknown_target"]
    assert _fingerprint(marketplace.driver) == before


def test_a_key_holding_cypher_text_is_matched_literally(api, marketplace) -> None:
    """The positive proof: a user whose key *is* an injection string is found by it, exactly."""
    client, tokens = api
    d = marketplace.driver
    d.execute_query("CREATE (:User {key: $key})", key=LITERAL_KEY)
    try:
        before = _fingerprint(d)
        r = client.post(
            "/analyst/queries/user_risk",
            json={"params": {"user": LITERAL_KEY}},
            headers=_h(tokens["analyst"]),
        )
        assert r.status_code == 200 and [row["user"] for row in r.json()["rows"]] == [LITERAL_KEY]
        pair = {"source": LITERAL_KEY, "target": marketplace.recommended[0], "type": "RECOMMENDED"}
        r = client.post("/links/score", json={"pairs": [pair]}, headers=_h(tokens["service"]))
        assert r.json()["scores"][0]["status"] == "not_scored"  # found, just never scored
        assert _fingerprint(d) == before
    finally:
        d.execute_query("MATCH (u:User {key: $key}) DETACH DELETE u", key=LITERAL_KEY)


@pytest.mark.parametrize("k", ["1000000000000", str(2**70), "-9223372036854775809", "5.5", " "])
def test_huge_and_odd_k_is_422(api, marketplace, k: str) -> None:
    client, tokens = api
    r = client.get(
        f"/users/{marketplace.user}/recommendations", params={"k": k}, headers=_h(tokens["service"])
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "E600", r.text


def _timed_post(
    client: TestClient, url: str, token: str, **kwargs: Any
) -> tuple[int, dict[str, Any], float]:
    t0 = time.monotonic()
    headers = {**kwargs.pop("headers", {}), **_h(token)}
    r = client.post(url, headers=headers, **kwargs)
    return r.status_code, r.json(), time.monotonic() - t0


def test_oversized_bodies_are_refused_before_neo4j(api, marketplace) -> None:
    client, tokens = api
    s, a = tokens["service"], tokens["analyst"]
    pair = {"source": marketplace.user, "target": marketplace.recommended[0], "type": "RECOMMENDED"}
    item = {"product": marketplace.recommended[0]}
    order = {"user": marketplace.user, "card_number": "4111 1111 1111 1111"}
    cases = [
        ("/links/score", s, {"pairs": [pair] * 100_000}),  # ~9 MB, 100x the pair cap
        ("/orders/score", s, {**order, "items": [item] * 201}),  # one over the item cap
        ("/orders/score", s, {**order, "items": [item], "device": "d" * 1_000_000}),
        ("/orders/score", s, {**order, "items": [item], "email": "a" * 300 + "@x.io"}),
        ("/links/score", s, {"pairs": [{**pair, "source": "u" * 201}]}),  # key over 200 chars
        ("/links/score", s, {"pairs": [{**pair, "extra": 1}]}),  # unknown nested field
        ("/analyst/queries/node_counts", a, {"params": {}, "limit": 10**30}),
        ("/analyst/queries/ring_orders", a, {"params": {"identifier": ["a"] * 100_000}}),
        ("/analyst/queries/ring_orders", a, {"params": {f"p{i}": i for i in range(10_000)}}),
    ]
    for url, token, body in cases:
        status, answer, seconds = _timed_post(client, url, token, json=body)
        # Over the body cap (1 MiB): 413 before the body is parsed; under it: 422 from validation.
        too_big = len(json.dumps(body)) > client.app.state.ctx.settings.api.max_body_bytes
        expected = (413, "E609") if too_big else (422, "E600")
        assert (status, answer["error"]["code"]) == expected, (url, answer)
        assert seconds < SLOW_S, (url, seconds)


def test_a_long_string_parameter_is_only_data_and_an_overlong_one_is_422(api, marketplace) -> None:
    client, tokens = api
    before = _fingerprint(marketplace.driver)
    injection = "x'}) DETACH DELETE n //"
    url = "/analyst/queries/ring_orders"
    status, answer, seconds = _timed_post(
        client, url, tokens["analyst"], json={"params": {"identifier": injection * 40}}
    )  # 920 characters: under the parameter cap, sent to Neo4j as a value
    assert status == 200 and answer["rows"] == [] and seconds < SLOW_S
    status, answer, seconds = _timed_post(
        client, url, tokens["analyst"], json={"params": {"identifier": injection * 50_000}}
    )  # ~1.2 MB: over the body cap, refused before parsing
    assert status == 413 and answer["error"]["code"] == "E609" and seconds < SLOW_S
    status, answer, _ = _timed_post(
        client, url, tokens["analyst"], json={"params": {"identifier": injection * 100}}
    )  # 2,300 characters: over the parameter cap
    assert status == 422 and answer["error"]["code"] == "E600"
    assert _fingerprint(marketplace.driver) == before


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_is_4xx(api, depth: int) -> None:
    client, tokens = api
    nested = "[" * depth + "]" * depth
    body = '{"params": {"identifier": ' + nested + "}}"
    status, answer, seconds = _timed_post(
        client,
        "/analyst/queries/ring_orders",
        tokens["analyst"],
        content=body.encode(),
        headers={"content-type": "application/json"},
    )
    assert status in (400, 422) and answer["error"]["code"] == "E600", answer
    assert seconds < SLOW_S


@pytest.mark.parametrize(
    "raw",
    [
        b'{"params": {"identifier": "\\ud800"}}',  # lone surrogate: not encodable as UTF-8
        b'{"params": {"identifier": "a\\u0000b"}}',  # NUL inside a string
        b'{"params": {"identifier": "\xff\xfe"}}',  # bytes that are not UTF-8
        b'{"params": {"identifier": "a", "identifier": {"$ne": 1}}}',  # duplicate key
        b"identifier=x%27%7D%29+DETACH+DELETE+n",  # form-encoded, not JSON
    ],
)
def test_odd_encodings_are_4xx_or_data(api, marketplace, raw: bytes) -> None:
    client, tokens = api
    before = _fingerprint(marketplace.driver)
    r = client.post(
        "/analyst/queries/ring_orders",
        content=raw,
        headers={"content-type": "application/json", **_h(tokens["analyst"])},
    )
    assert r.status_code in (200, 400, 422), r.text
    body = r.json()
    assert (r.status_code == 200 and body["rows"] == []) or body["error"]["code"] == "E600", body
    assert _fingerprint(marketplace.driver) == before


def test_wrong_content_type_and_unknown_query_string_keys(api, marketplace) -> None:
    client, tokens = api
    h = _h(tokens["service"])
    pair = {"source": marketplace.user, "target": marketplace.recommended[0], "type": "RECOMMENDED"}
    r = client.post(
        "/links/score",
        content=json.dumps({"pairs": [pair]}),
        headers={**h, "content-type": "text/plain"},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "E600"
    # Unknown query-string keys are ignored, never passed on: the answer is the plain one.
    url = f"/users/{marketplace.user}/recommendations"
    plain = client.get(url, params={"k": 2}, headers=h).json()
    odd = client.get(url, params={"k": 2, "cypher": "MATCH (n) DETACH DELETE n"}, headers=h)
    assert odd.status_code == 200 and odd.json() == plain


def test_lone_surrogates_in_scoring_keys_are_422(api, marketplace) -> None:
    """Python's JSON accepts "\\ud800"; Neo4j cannot receive it: a 422, not a 500 (was a 500)."""
    client, tokens = api
    pair = {"source": "@", "target": marketplace.recommended[0], "type": "RECOMMENDED"}
    raw = json.dumps({"pairs": [pair]}).replace('"@"', '"\\ud800"')
    r = client.post(
        "/links/score",
        content=raw.encode(),
        headers={"content-type": "application/json", **_h(tokens["service"])},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "E600", r.text
