"""Fraud risk end to end on a real Neo4j: write a toy ring marketplace, export, train, evaluate."""

from gnn.classify import score_nodes
from gnn.classify_spec import TrainConfig
from gnn.fraud import export_fraud_data, run_fraud
from gnn.fraud.toy import toy_fraud_records
from graph.connection import Driver
from graph.writer import GraphWriter, apply_schema


def test_fraud_runs_on_an_exported_graph(driver: Driver) -> None:
    apply_schema(driver)
    nodes, rels = toy_fraud_records(users=60, rings=8, seed=5)
    writer = GraphWriter(driver, batch_size=500)
    writer.write_nodes(nodes)
    writer.write_relationships(rels)

    data = export_fraud_data(driver)
    assert data["Order"].time.dtype.is_floating_point  # driver DateTimes became epoch seconds
    assert "is_chargeback" in data["Order"] and "chargeback_at" in data["Order"]
    settings = TrainConfig(dim=16, max_epochs=8, patience=4)
    result = run_fraud(data, seed=7, device="cpu", settings=settings)

    report = result.report
    names = [m["name"] for m in report["models"]]
    assert names[0] == "rules" and "gnn-sage+graph" in names and "lightgbm+graph" in names
    assert report["selection"]["best_on_valid"] in names
    assert report["split"]["periods"]["test"]["positives"] > 0
    for m in report["models"]:
        assert 0.0 <= m["metrics"]["roc_auc"] <= 1.0
    keys, scores = score_nodes(result.gnn.model, data, result.view)
    assert len(keys) == len(scores) == len(data["Order"].node_key)
    assert report["account_links"]["candidates"] > 0
