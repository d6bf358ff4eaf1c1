"""Train → artefact → score → write-back on a real Neo4j, and re-scoring replaces results."""

import csv
from pathlib import Path

from cartograph.training import score_task, train_task
from extraction.sample import SampleSize, sample_graph
from gnn.artefacts import load_artefact, resolve
from gnn.tasks import load_task
from graph.connection import Driver
from graph.scores import write_node_scores
from graph.writer import GraphWriter, apply_schema

SIZE = SampleSize(users=80, products=30, orders=700, rings=2, ring_size=3)
FAST = {"dim": 16, "train": {"max_epochs": 2, "batch_size": 256}}


def _load(driver: Driver) -> None:
    apply_schema(driver)
    nodes, rels = sample_graph(SIZE, seed=11)
    writer = GraphWriter(driver, batch_size=500)
    writer.write_nodes(nodes)
    writer.write_relationships(rels)


def _recommended(driver: Driver) -> list[tuple[str, int, str]]:
    records, _, _ = driver.execute_query(
        "MATCH (u:User)-[r:RECOMMENDED]->(p:Product) RETURN u.key, r.rank, r.model"
    )
    return [(r[0], r[1], r[2]) for r in records]


def test_train_saves_a_model_and_score_writes_back_idempotently(
    driver: Driver, tmp_path: Path
) -> None:
    _load(driver)
    spec = load_task("recommend")
    run = train_task(driver, "neo4j", spec, 7, "cpu", tmp_path / "models", **FAST)  # type: ignore[arg-type]
    assert run.model_dir is not None and resolve(tmp_path / "models", "recommend") == run.model_dir
    art = load_artefact(run.model_dir)
    assert art.model in ("bpr-mf", "lightgcn", "kg-lightgcn", "hetero-sage")
    assert art.manifest["data_hash"] == run.report["data_hash"]
    assert set(art.manifest["metrics"]) == {m["name"] for m in run.report["models"]}
    assert "text_features" in run.report["ablation"]

    out = tmp_path / "recs.csv"
    first = score_task(driver, "neo4j", run.model_dir, out, top=5)
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["source_key", "target_key", "score", "rank"]
    assert first.written["written"] == len(rows) == first.rows > 0
    assert first.written["missing"] == 0
    recs = _recommended(driver)
    assert len(recs) == len(rows) and {r[1] for r in recs} == set(range(1, 6))
    assert {r[2] for r in recs} == {art.version}

    # Nothing a user bought is recommended back to them.
    records, _, _ = driver.execute_query(
        "MATCH (u:User)-[:RECOMMENDED]->(p:Product)<-[:CONTAINS]-(:Order)<-[:PLACED]-(u) "
        "RETURN count(*)"
    )
    assert records[0][0] == 0

    # A second model's scores replace the first's: same count, only the new model's tag.
    run2 = train_task(driver, "neo4j", spec, 8, "cpu", tmp_path / "models", **FAST)  # type: ignore[arg-type]
    assert run2.model_dir is not None
    second = score_task(driver, "neo4j", run2.model_dir, None, top=5)
    assert second.written["removed"] == first.written["written"]
    recs2 = _recommended(driver)
    assert len(recs2) == len(recs)
    assert {r[2] for r in recs2} == {load_artefact(run2.model_dir).version}


def test_node_scores_replace_the_previous_model(driver: Driver) -> None:
    _load(driver)
    records, _, _ = driver.execute_query("MATCH (o:Order) RETURN o.key ORDER BY o.key LIMIT 50")
    keys = [r[0] for r in records]
    first = write_node_scores(driver, [(k, 0.5) for k in keys], label="Order", model="m1")
    assert first.written == 50 and first.removed == 0
    second = write_node_scores(
        driver, [(k, 0.1) for k in keys[:10]] + [("no-such-order", 0.9)], label="Order", model="m2"
    )
    assert second.removed == 50 and second.written == 10 and second.missing == 1
    records, _, _ = driver.execute_query(
        "MATCH (o:Order) WHERE o.risk_score IS NOT NULL "
        "RETURN count(o), collect(DISTINCT o.risk_model)"
    )
    assert records[0][0] == 10 and records[0][1] == ["m2"]
