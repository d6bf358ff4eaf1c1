"""Fixtures for the API, Cypher-library and Browser tests: the small built-in marketplace (seed 7)
loaded into the test Neo4j, plus a few stored scores as ``cartograph score`` would write them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app, reader_pool_size
from api.keys import KeyStore
from cartograph.pipeline import run_ingest
from cartograph.settings import Settings
from extraction.pseudonymise import Pseudonymiser
from graph.async_query import AsyncReader
from graph.connection import Driver, Neo4jTarget
from graph.server import ServerConfig
from graph.writer import clear_database
from testbeds.marketplace import generate

MAPPING = Path(__file__).resolve().parents[2] / "extraction" / "mappings" / "marketplace.yaml"
SCORES = """
MATCH (u:User {key: $user})
UNWIND range(0, size($products) - 1) AS i
MATCH (p:Product {key: $products[i]})
MERGE (u)-[r:RECOMMENDED]->(p)
SET r.score = 1.0 - i * 0.1, r.rank = i + 1, r.model = $model
WITH DISTINCT u
MATCH (o:Order {key: $order})
SET o.risk_score = 0.93, o.risk_model = $risk_model, u.risk_score = 0.81, u.risk_model = $risk_model
"""


@dataclass(frozen=True)
class Marketplace:
    """Keys the tests use, found in the loaded graph (not hard-coded)."""

    driver: Driver
    user: str  # a buyer with a chargeback order, recommendations and a risk score
    order: str  # that chargeback order (risk-scored)
    ring: str  # the card shared by the most accounts
    recommended: list[str]  # recommended products, in rank order
    bought: str  # a product the user bought (also given a RECOMMENDED, must be filtered out)


@pytest.fixture(scope="session")
def marketplace_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("marketplace-api")
    generate("small", 7, out)
    return out


def _query(driver: Driver, text: str, **params: object) -> list[dict]:
    records, _, _ = driver.execute_query(text, params)
    return [dict(r) for r in records]


@pytest.fixture()
def marketplace(
    session_driver: Driver, neo4j_target: Neo4jTarget, marketplace_data: Path, tmp_path: Path
) -> Marketplace:
    """Reloads only when another test emptied the database (loading takes tens of seconds)."""
    d = session_driver
    if not _query(d, "MATCH ()-[r:RECOMMENDED {model: 'test-model/1'}]->() RETURN r LIMIT 1"):
        clear_database(d)
        pseudo = Pseudonymiser(b"integration-test-secret-0123456789")
        run_ingest(neo4j_target, marketplace_data, MAPPING, pseudo, tmp_path, show_progress=False)
        row = _query(
            d,
            "MATCH (u:User)-[:PLACED]->(o:Order {is_chargeback: true}) "
            "WHERE EXISTS { (u)-[:USED_CARD]->()<-[:USED_CARD]-(:User) } "
            "RETURN u.key AS user, o.key AS order ORDER BY user, order LIMIT 1",
        )[0]
        bought = _query(
            d,
            "MATCH (:User {key: $u})-[:PLACED]->(:Order)-[:CONTAINS]->(p) "
            "RETURN p.key AS k ORDER BY k LIMIT 1",
            u=row["user"],
        )[0]["k"]
        fresh = _query(
            d,
            "MATCH (p:Product) "
            "WHERE NOT EXISTS { (:User {key: $u})-[:PLACED]->()-[:CONTAINS]->(p) }"
            " RETURN p.key AS k ORDER BY k LIMIT 3",
            u=row["user"],
        )
        products = [r["k"] for r in fresh] + [bought]
        d.execute_query(
            SCORES, user=row["user"], products=products, order=row["order"],
            model="test-model/1", risk_model="test-risk/1",
        )  # fmt: skip
    row = _query(
        d,
        "MATCH (u:User)-[r:RECOMMENDED {model: 'test-model/1'}]->(p) WITH u, r, p ORDER BY r.rank "
        "WITH u, collect(p.key) AS products "
        "MATCH (u)-[:PLACED]->(o:Order) WHERE o.risk_model = 'test-risk/1' "
        "RETURN u.key AS user, o.key AS order, products",
    )[0]
    ring = _query(
        d,
        "MATCH (u:User)-[:USED_CARD]->(c:Card) WITH c, count(u) AS n "
        "RETURN c.key AS k ORDER BY n DESC, k LIMIT 1",
    )[0]["k"]
    *recommended, bought = row["products"]
    return Marketplace(d, row["user"], row["order"], ring, recommended, bought)


# --- the API on the stored scores (test_api.py, test_owasp_api.py) ------------------------------


@pytest.fixture()
def settings(tmp_path: Path, neo4j_server: ServerConfig) -> Settings:
    return Settings(
        api={"keys_file": tmp_path / "keys.json", "max_k": 50, "max_pairs": 5, "row_limit": 100},
        neo4j={"http_port": neo4j_server.http_port},
    )


@pytest.fixture()
def keys(settings: Settings) -> dict[str, str]:
    """A token per role."""
    store = KeyStore(settings.api.keys_file)
    return {role: store.create(role, f"test {role}")[1] for role in ("service", "analyst", "admin")}


@pytest.fixture()
def reader(neo4j_target: Neo4jTarget, settings: Settings) -> AsyncReader:
    """The async driver's reads, pooled as ``cartograph serve`` pools them."""
    return AsyncReader(neo4j_target, reader_pool_size(settings))


@pytest.fixture()
def client(
    settings: Settings, marketplace: Marketplace, reader: AsyncReader
) -> Iterator[TestClient]:
    with TestClient(create_app(settings, marketplace.driver, reader=reader)) as c:
        yield c
