"""Fuzzing the request schemas with hypothesis (schemathesis is not in the lock): whatever JSON a
caller sends to the analyst and scoring endpoints, the answer is never a 5xx (503 E605 for order
scoring, "no model loaded", is the one expected 5xx and only for valid orders)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.keys import KeyStore
from cartograph.settings import Settings
from cypher.spec import catalogue

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)  # fmt: skip
PARAM_VALUES = st.none() | st.integers(-5, 2_000) | st.text(max_size=40) | st.booleans()
NAMES = sorted(catalogue("queries"))
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _client(marketplace, tmp_path: Path, role: str = "analyst") -> tuple[TestClient, str]:
    s = Settings(api={"keys_file": tmp_path / "keys.json", "query_timeout_s": 5.0})
    token = KeyStore(s.api.keys_file).create(role)[1]
    return TestClient(create_app(s, marketplace.driver)), token


@FUZZ
@given(
    name=st.sampled_from(NAMES),
    params=st.dictionaries(st.sampled_from(["min_users", "hops", "limit", "identifier", "user",
                                            "order", "kind", "hours", "x"]), PARAM_VALUES),
    limit=st.none() | st.integers(-3, 5_000),
)  # fmt: skip
def test_analyst_queries_never_5xx(marketplace, tmp_path: Path, name, params, limit) -> None:
    client, token = _client(marketplace, tmp_path)
    body = {"params": params} | ({} if limit is None else {"limit": limit})
    r = client.post(f"/analyst/queries/{name}", json=body, headers={"X-API-Key": token})
    assert r.status_code < 500, r.text
    assert r.status_code in (200, 422) and ("error" in r.json()) == (r.status_code != 200)


@FUZZ
@given(body=JSON)
def test_scoring_bodies_never_5xx(marketplace, tmp_path: Path, body) -> None:
    client, token = _client(marketplace, tmp_path, "service")  # the role that scores orders
    h = {"X-API-Key": token}
    assert client.post("/links/score", json=body, headers=h).status_code < 500
    r = client.post("/orders/score", json=body, headers=h)
    assert r.status_code == 422 or r.json()["error"]["code"] == "E605"
