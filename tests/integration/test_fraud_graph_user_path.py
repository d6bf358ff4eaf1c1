"""A user's own fraud graph end to end, the way a user runs it: CSV files → their mapping →
Neo4j → their task spec → the whole zoo side by side → the model best on valid scores every
account. Nothing marketplace-specific is involved (no marketplace schema, no built-in task)."""

from pathlib import Path

from cartograph.pipeline import ingest_summary, run_ingest
from extraction.pseudonymise import Pseudonymiser
from gnn.artefacts import load_artefact
from gnn.classify_spec import NODE_MODELS
from gnn.tasks import load_task
from gnn.tasks.runner import score_task, train_task
from graph.connection import Driver, Neo4jTarget, count_by_label, count_by_type
from testbeds.fraud_graph import MAPPING, TASK, FraudGraphConfig, generate, write_sources


def test_fraud_graph_through_mapping_and_spec(
    driver: Driver, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    graph = generate(FraudGraphConfig(accounts=800, edges=8_000, camouflage=0.5), seed=3)
    counts = write_sources(graph, tmp_path / "data")
    pseudo = Pseudonymiser(b"integration-test-secret-0123456789")
    result, written, load_s = run_ingest(
        neo4j_target, tmp_path / "data", MAPPING, pseudo, tmp_path / "run", show_progress=False
    )
    assert ingest_summary(result, written, load_s)["reconciles"]
    assert count_by_label(driver) == {"Account": 800}
    types = count_by_type(driver)
    assert sum(types.values()) == sum(v for k, v in counts.items() if k != "accounts")
    records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD labelsOrTypes RETURN *")
    assert "Account" in {lt for r in records for lt in r["labelsOrTypes"]}  # its key constraint

    spec = load_task(TASK).model_copy(update={"train": load_task(TASK).train.__class__(
        dim=16, max_epochs=20, patience=8)})  # fmt: skip
    run = train_task(driver, "neo4j", spec, 7, "cpu", tmp_path / "models")  # type: ignore[arg-type]
    names = [m["name"] for m in run.report["models"]]
    assert names == list(NODE_MODELS)
    valid = {m["name"]: m["valid_metrics"]["pr_auc"] for m in run.report["models"]}
    sel = run.report["selection"]
    assert sel["served"] == max(valid, key=lambda k: valid[k])
    assert valid[sel["served"]] >= max(valid["logreg"], valid["lightgbm"])
    assert run.report["split"]["nodes"] == {
        p: int((graph.split == p).sum()) for p in ("train", "valid", "test")
    }
    assert "f0" not in run.report["excluded_outputs"]["properties"]
    art = load_artefact(run.model_dir)  # type: ignore[arg-type]
    assert art.model == sel["served"] and len(art.keys["Account"]) == 800
    summary = score_task(driver, "neo4j", run.model_dir, None)  # type: ignore[arg-type]
    assert summary.rows == 800
    records, _, _ = driver.execute_query(
        "MATCH (a:Account) WHERE a.fraud_score IS NOT NULL RETURN count(a), "
        "collect(DISTINCT a.fraud_model)"
    )
    assert records[0][0] == 800 and records[0][1] == [art.version]
