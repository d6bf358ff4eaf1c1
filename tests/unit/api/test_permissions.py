"""Every route names one permission, and the roles get what least privilege says. The checks run
before any handler, so an app with no reachable Neo4j answers them."""

from __future__ import annotations

from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import KeyStore
from cartograph.settings import Settings
from graph.connection import Driver

ORDER = {"user": "u", "items": [{"product": "p"}], "card_number": "4111 1111 1111 1111"}
# (method, path, body) → the roles allowed; the table in docs/api.md.
ENDPOINTS: list[tuple[str, str, Any, set[str]]] = [
    ("GET", "/users/u/recommendations", None, {"service", "analyst"}),
    ("POST", "/links/score", {"pairs": []}, {"service", "analyst"}),
    ("GET", "/orders/o/risk", None, {"service", "analyst"}),
    ("GET", "/users/u/risk", None, {"service", "analyst"}),
    ("POST", "/orders/score", ORDER, {"service"}),
    ("POST", "/orders/score", {**ORDER, "persist": True}, {"service"}),
    ("GET", "/analyst/queries", None, {"analyst"}),
    ("POST", "/analyst/queries/node_counts", {}, {"analyst"}),
    ("POST", "/admin/reload", None, {"admin"}),
]


@pytest.fixture(scope="module")
def client_and_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, dict[str, str]]:
    path = tmp_path_factory.mktemp("perm") / "keys.json"
    store = KeyStore(path)
    keys = {role: store.create(role)[1] for role in ("service", "analyst", "admin")}
    app = create_app(Settings(api={"keys_file": path}), cast(Driver, object()))
    return TestClient(app, raise_server_exceptions=False), keys


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS)
def test_each_role_gets_exactly_its_permissions(
    client_and_keys: tuple[TestClient, dict[str, str]], method: str, path: str, body: Any,
    allowed: set[str],
) -> None:  # fmt: skip
    client, keys = client_and_keys
    for role, token in keys.items():
        r = client.request(method, path, json=body, headers={"X-API-Key": token})
        if role in allowed:
            assert r.status_code != 403, (role, path, r.text)
        else:
            assert r.status_code == 403 and r.json()["error"]["code"] == "E602", (role, path)
    assert client.request(method, path, json=body).status_code == 401
