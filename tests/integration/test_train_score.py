"""Train → artefact → score → write-back on a real Neo4j, and re-scoring replaces results."""

import csv
from pathlib import Path

from gnn.artefacts import load_artefact, resolve
from gnn.classify_spec import NODE_MODELS
from gnn.tasks import load_task
from gnn.tasks.runner import score_task, train_task
from graph.connection import Driver, Neo4jTarget
from graph.scores import write_node_scores
from graph.writer import GraphWriter, apply_schema
from testbeds.sample import SampleSize, sample_graph

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
    assert art.model == run.report["selection"]["served"]  # any model: filters serve too
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


def test_fraud_preset_trains_scores_orders_and_links_accounts(
    driver: Driver, tmp_path: Path
) -> None:
    from gnn.fraud.toy import toy_fraud_records

    apply_schema(driver)
    nodes, rels = toy_fraud_records(users=60, rings=8, seed=5)
    writer = GraphWriter(driver, batch_size=500)
    writer.write_nodes(nodes)
    writer.write_relationships(rels)
    spec = load_task("fraud")
    fast = {"train": {"dim": 16, "max_epochs": 6, "patience": 3}}
    run = train_task(driver, "neo4j", spec, 7, "cpu", tmp_path / "models", **fast)  # type: ignore[arg-type]
    assert run.model_dir is not None
    names = [m["name"] for m in run.report["models"]]
    assert names[0] == "rules" and any(m["is_gnn"] for m in run.report["models"])
    assert "pairs" not in run.report.get("account_links", {})  # kept in the artefact, not JSON
    summary = score_task(driver, "neo4j", run.model_dir)
    records, _, _ = driver.execute_query(
        "MATCH (o:Order) RETURN count(o) AS n, count(o.risk_score) AS scored, "
        "min(o.risk_score) AS lo, max(o.risk_score) AS hi"
    )
    n, scored, lo, hi = records[0]
    assert scored == n == summary.rows and 0.0 <= lo <= hi <= 1.0
    bands = summary.written["bands"]
    records, _, _ = driver.execute_query(
        "MATCH (o:Order) RETURN sum(CASE WHEN o:RiskHigh THEN 1 ELSE 0 END) AS high, "
        "sum(CASE WHEN o:RiskMedium THEN 1 ELSE 0 END) AS medium, "
        "min(CASE WHEN o:RiskHigh THEN o.risk_score END) AS high_min, "
        "max(CASE WHEN o:RiskMedium THEN o.risk_score END) AS medium_max"
    )
    high, medium, high_min, medium_max = records[0]
    assert high == bands["RiskHigh"] >= 1 and medium == bands["RiskMedium"] >= 1
    assert high_min >= medium_max  # bands follow the score order
    records, _, _ = driver.execute_query(
        "MATCH (:User)-[r:LIKELY_SAME_ACTOR]->(:User) RETURN count(r), min(r.rank)"
    )
    assert records[0][0] == summary.written["links"]["written"] > 0 and records[0][1] == 1


SPEC = """\
name: account_flags
kind: node_classification
label: Account
label_property: flagged
split: {kind: given, property: split}
write_back: {score_property: flag_score, model_property: flag_model}
train: {dim: 16, max_epochs: 30, patience: 10}
"""


def test_a_spec_on_a_non_marketplace_graph_trains_the_zoo_and_outputs_never_become_inputs(
    driver: Driver, tmp_path: Path
) -> None:
    """A user-user graph with numeric features and a published split, no code changes: the
    whole zoo side by side, the best on valid served; then score (scores, model versions and
    risk-band labels written back) and train again: identical results, because what a task
    writes is never read back as an input."""
    from graph.records import NodeRecord, RelRecord

    nodes, rels = [], []
    for i in range(120):
        bad = i % 4 == 0
        nodes.append(
            NodeRecord(
                "Account",
                f"a{i}",
                {
                    "logins": float(20 + (i * 7) % 13 + (30 if bad else 0)),
                    "age_days": float(400 - (i * 11) % 97 - (300 if bad else 0)),
                    "flagged": bad,
                    "split": ("train", "train", "train", "valid", "test")[i % 5],
                    "nickname": f"user{i}",
                },
            )
        )
        rels.append(RelRecord("KNOWS", "Account", f"a{i}", "Account", f"a{(i + 4) % 120}"))
    writer = GraphWriter(driver, batch_size=500)
    writer.write_nodes(nodes)
    writer.write_relationships(rels)
    spec_path = tmp_path / "accounts.yaml"
    spec_path.write_text(
        SPEC.replace("flag_score", "risk_score").replace("flag_model", "risk_model")
    )
    spec = load_task(spec_path)
    run = train_task(driver, "neo4j", spec, 7, "cpu", tmp_path / "models")  # type: ignore[arg-type]
    models = {m["name"]: m for m in run.report["models"]}
    assert set(models) == set(NODE_MODELS)
    valid = {k: m["valid_metrics"]["pr_auc"] for k, m in models.items()}
    served = run.report["selection"]["served"]
    assert valid[served] == max(valid.values())
    assert models["gnn-sage"]["metrics"]["roc_auc"] > 0.8  # the flag is learnable here
    assert run.model_dir is not None
    art = load_artefact(run.model_dir)
    assert art.model == served and art.manifest["schema"]["node_types"] == ["Account"]
    summary = score_task(driver, "neo4j", run.model_dir, tmp_path / "scores.csv")
    rows = list(csv.DictReader((tmp_path / "scores.csv").open()))
    assert list(rows[0]) == ["key", "score"] and len(rows) == 120
    records, _, _ = driver.execute_query(
        "MATCH (a:Account) RETURN count(a.risk_score), collect(DISTINCT a.risk_model)"
    )
    assert records[0][0] == 120 and records[0][1] == [art.version]
    assert summary.written.get("bands", {}).get("RiskHigh", 0) >= 1
    again = train_task(driver, "neo4j", spec, 7, "cpu", tmp_path / "models2")  # type: ignore[arg-type]
    assert again.report["data_hash"] == run.report["data_hash"]
    for first, second in zip(run.report["models"], again.report["models"], strict=True):
        assert first["name"] == second["name"]
        assert first["metrics"] == second["metrics"], first["name"]
    assert again.report["features"] == run.report["features"]


def test_unknown_node_types_and_schema_of_a_user_graph(driver: Driver, tmp_path: Path) -> None:
    """Labels with no nodes never enter a model (a saved config lists only what has data)."""
    from graph.records import NodeRecord

    apply_schema(driver)  # the marketplace constraints: labels that hold no node here
    writer = GraphWriter(driver, batch_size=500)
    writer.write_nodes(
        [
            NodeRecord("Account", f"a{i}", {"flagged": i % 4 == 0, "logins": float(i % 7),
                       "split": ("train", "valid", "test")[i % 3]})
            for i in range(60)
        ]
    )  # fmt: skip
    spec_path = tmp_path / "accounts.yaml"
    spec_path.write_text(SPEC.replace("train: {", "models: [logreg, mlp]\ntrain: {"))
    run = train_task(driver, "neo4j", load_task(spec_path), 7, "cpu", tmp_path / "m")  # type: ignore[arg-type]
    assert [m["name"] for m in run.report["models"]] == ["logreg", "mlp"]
    art = load_artefact(run.model_dir)  # type: ignore[arg-type]
    assert art.manifest["schema"]["node_types"] == ["Account"]


def test_movielens_preset_through_the_mapping_file(
    driver: Driver, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    """A public data set, loaded through its mapping, trained by the preset and scored back."""
    from cartograph.pipeline import run_movielens
    from extraction.pseudonymise import Pseudonymiser

    root = Path(__file__).resolve().parents[2] / "var" / "data"  # the wheel cache is shared
    result = run_movielens(
        neo4j_target,
        tmp_path / "runs",
        root,
        Pseudonymiser(b"movielens-test-secret-0123456789"),
        7,
        tmp_path / "models",
        "cpu",
        max_ratings=2000,
        overrides={"dim": 16, "train": {"max_epochs": 2, "batch_size": 512}},
    )
    entry = result.report["movielens"]
    assert {m["name"] for m in entry["models"]} >= {"lightgcn", "kg-lightgcn", "popularity"}
    assert result.report["ingestion"]["reconciles"]
    records, _, _ = driver.execute_query(
        "MATCH (:Viewer)-[r:RECOMMENDED]->(:Movie) RETURN count(r), collect(DISTINCT r.model)"
    )
    assert records[0][0] == entry["score"]["neo4j"]["written"] > 0
    assert records[0][1] == [entry["artefact"]["version"]]
    assert "## Task `movielens`" in (result.run_dir / "report.md").read_text()
