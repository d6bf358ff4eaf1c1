"""A training-free graph filter served end to end on a real Neo4j: spec → train (the filter wins
on valid among the task's models and is stored as matrices) → ``score`` (CSV and
``RECOMMENDED`` links agree) → the live API (the same ranking and scores, reasons from the
filter, an unseen user folded in exactly)."""

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import KeyStore
from cartograph.settings import Settings
from gnn.artefacts import load_artefact
from gnn.tasks import load_task
from gnn.tasks.runner import score_task, train_task
from graph.connection import Driver
from graph.server import ServerConfig
from graph.writer import GraphWriter, apply_schema
from testbeds.sample import SampleSize, sample_graph

SIZE = SampleSize(users=80, products=30, orders=700, rings=2, ring_size=3)
FILTERS = ("popularity", "gf-cf", "kg-gf")


@pytest.fixture()
def trained(driver: Driver, tmp_path: Path) -> Path:
    apply_schema(driver)
    nodes, rels = sample_graph(SIZE, seed=11)
    writer = GraphWriter(driver, batch_size=500)
    writer.write_nodes(nodes)
    writer.write_relationships(rels)
    spec = load_task("recommend").model_copy(update={"models": FILTERS})
    run = train_task(driver, "neo4j", spec, 7, "cpu", tmp_path / "models")  # type: ignore[arg-type]
    assert run.model_dir is not None
    return run.model_dir


@pytest.fixture()
def client(
    trained: Path, tmp_path: Path, neo4j_server: ServerConfig, driver: Driver
) -> Iterator[tuple[TestClient, str]]:
    settings = Settings(
        api={"keys_file": tmp_path / "keys.json", "max_k": 50},
        neo4j={"http_port": neo4j_server.http_port},
        train={"models_dir": tmp_path / "models"},
    )
    token = KeyStore(settings.api.keys_file).create("service", "test")[1]
    with TestClient(create_app(settings, driver, live=True)) as c:
        yield c, token


def _q(driver: Driver, text: str, **params: object) -> list[dict]:
    return [dict(r) for r in driver.execute_query(text, params)[0]]


def test_a_graph_filter_is_trained_scored_and_served(
    driver: Driver, trained: Path, tmp_path: Path, client: tuple[TestClient, str]
) -> None:
    art = load_artefact(trained)
    metrics = art.manifest["metrics"]
    assert set(metrics) == set(FILTERS)
    assert art.model in FILTERS and art.manifest["scorer"]["kind"] == "filter"
    assert "source_emb" not in art.tensors and not art.manifest["has_weights"]

    out = tmp_path / "recs.csv"
    summary = score_task(driver, "neo4j", trained, out, top=5)
    rows = list(csv.DictReader(out.open()))
    assert summary.written["written"] == len(rows) == summary.rows > 0
    stored = _q(
        driver,
        "MATCH (u:User)-[r:RECOMMENDED]->(p:Product) "
        "RETURN u.key AS u, p.key AS p, r.score AS s, r.rank AS rank, r.model AS m",
    )
    assert {(r["u"], r["p"], r["rank"]) for r in stored} == {
        (r["source_key"], r["target_key"], int(r["rank"])) for r in rows
    }
    assert {r["m"] for r in stored} == {art.version}
    bought_back = _q(
        driver,
        "MATCH (u:User)-[:RECOMMENDED]->(p)<-[:CONTAINS]-(:Order)<-[:PLACED]-(u) "
        "RETURN count(*) AS n",
    )
    assert bought_back[0]["n"] == 0  # masked

    c, token = client
    h = {"X-API-Key": token}
    assert c.get("/ready").json()["models"]["recommendation"] == art.version
    user = rows[0]["source_key"]
    csv_top = [(r["target_key"], float(r["score"])) for r in rows if r["source_key"] == user]
    body = c.get(f"/users/{user}/recommendations?k=5", headers=h).json()
    assert body["model"] == art.version
    assert [i["product"] for i in body["items"]] == [p for p, _ in csv_top]
    for item, (_, score) in zip(body["items"], csv_top, strict=True):
        assert item["score"] == pytest.approx(score, rel=1e-6)
    purchases = "MATCH (:User {key: $u})-[:PLACED]->()-[:CONTAINS]->(p) RETURN p.key AS k"
    bought = {r["k"] for r in _q(driver, purchases, u=user)}
    if art.model != "popularity":  # popularity has no item-item weights to explain with
        assert any(i["reason"] for i in body["items"])
    assert all(i["reason"]["via"] in bought for i in body["items"] if i["reason"])
    pair = {"source": user, "target": csv_top[0][0], "type": "RECOMMENDED"}
    scored = c.post("/links/score", json={"pairs": [pair]}, headers=h).json()["scores"][0]
    assert scored["status"] == "scored" and scored["model"] == art.version
    assert scored["score"] == pytest.approx(csv_top[0][1], rel=1e-6)

    # A user created after training with the same purchases: a filter scores them exactly.
    driver.execute_query(
        "CREATE (n:User {key: 'late-joiner'}) WITH n "
        "MATCH (:User {key: $u})-[:PLACED]->(:Order)-[:CONTAINS]->(p:Product) "
        "WITH n, collect(DISTINCT p) AS ps CREATE (n)-[:PLACED]->(o:Order {key: 'late-order'}) "
        "FOREACH (p IN ps | CREATE (o)-[:CONTAINS]->(p))",
        u=user,
    )
    late = c.get("/users/late-joiner/recommendations?k=5", headers=h).json()
    assert [i["product"] for i in late["items"]] == [i["product"] for i in body["items"]]
    assert [i["score"] for i in late["items"]] == pytest.approx([i["score"] for i in body["items"]])
