"""The fraud task on a toy marketplace with planted rings: every model side by side, rules,
explanations and account links, with a tiny training budget."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from gnn.classify_data import property_data
from gnn.classify_spec import TrainConfig
from gnn.explain import explain_node
from gnn.fraud import FRAUD_NODE_PROPERTIES, run_fraud
from gnn.fraud.baselines import rule_score
from gnn.fraud.links import account_links
from gnn.fraud.toy import records_to_arrays, toy_fraud_records


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    nodes, rels = toy_fraud_records(users=80, rings=10, seed=3)
    data = property_data(records_to_arrays(nodes, rels, FRAUD_NODE_PROPERTIES))
    settings = TrainConfig(dim=16, max_epochs=15, patience=5)
    return data, run_fraud(data, seed=7, device="cpu", settings=settings)


def test_report_has_every_model_with_metrics_and_is_json(run) -> None:  # type: ignore[no-untyped-def]
    data, result = run
    report = result.report
    names = [m["name"] for m in report["models"]]
    assert names == [
        "rules", "logreg", "lightgbm", "lightgbm+graph", "mlp", "gnn-sage+graph", "bwgnn", "stack"
    ]  # fmt: skip
    assert [m["name"] for m in report["models"] if m["is_gnn"]] == ["gnn-sage+graph", "bwgnn"]
    for m in report["models"]:
        for key in ("roc_auc", "pr_auc", "recall@1%", "recall@5%"):
            assert key in m["metrics"]
    periods = report["split"]["periods"]
    assert periods["test"]["positives"] > 0 and periods["valid"]["positives"] > 0
    assert set(report["ablation"]["graph_features"]["lightgbm"]) == {
        "without graph features", "with graph features"
    }  # fmt: skip
    valid = {m["name"]: m["valid_metrics"]["pr_auc"] for m in report["models"]}
    assert report["selection"]["best_on_valid"] == max(valid, key=lambda k: valid[k])
    assert report["selection"]["served_online"] == "gnn-sage+graph"
    assert result.scores is not None and result.scores.shape == (int(data["Order"].num_nodes),)
    json.dumps(report)  # serialisable as-is


def test_graph_signals_find_the_rings(run) -> None:  # type: ignore[no-untyped-def]
    _, result = run
    by_name = {m["name"]: m for m in result.report["models"]}
    assert by_name["lightgbm+graph"]["metrics"]["roc_auc"] > 0.8
    assert by_name["rules"]["metrics"]["roc_auc"] > 0.8


def test_rules_score_shared_cards_higher() -> None:
    feats = {"users_per_Card": np.array([1.0, 4.0]), "account_age_days": np.array([400.0, 400.0])}
    s = rule_score(feats, 2)
    assert s[1] > s[0]


def test_account_links_pair_ring_members(run) -> None:  # type: ignore[no-untyped-def]
    _, result = run
    links = result.report["account_links"]
    assert links["candidates"] > 0
    top = links["top"][0]
    assert top["a"].startswith("toy:R") and top["b"].startswith(
        "toy:R"
    )  # ring members share a card


def test_account_links_metrics_with_truth_files(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    data, result = run
    rings = [k for k in data["User"].node_key if k.startswith("toy:R")]
    rows = ["platform,account_id,actor_id,fraud_type"]
    rows += [f"toy,{k.removeprefix('toy:')},{k.split('-')[0]},ring" for k in rings]
    (tmp_path / "fraud_accounts.csv").write_text("\n".join(rows) + "\n")
    out = account_links(data, result.gnn, result.view, torch.device("cpu"), tmp_path)
    assert out["truth_pairs"] == 10 * 6  # ten rings of four: six pairs each
    assert out["candidate_recall"] == 1.0  # every ring pair shares the ring's card
    combined = out["metrics"]["combined"]
    assert combined["positives"] == combined["n"] == 60  # legit accounts share nothing here


def test_explanation_names_the_shared_card(run) -> None:  # type: ignore[no-untyped-def]
    data, result = run
    keys = data["Order"].node_key
    y = data["Order"].is_chargeback.nan_to_num().numpy()
    ring_order = int(np.nonzero(y > 0)[0][-1])
    out = explain_node(result.gnn.model, result.view, data, ring_order)
    assert out["key"] == keys[ring_order]
    assert out["links"], "a ring order has older ring orders to hear from"
    assert {link["relationship"] for link in out["links"]} & {"PAID_WITH", "PLACED_FROM"}
    assert "$key" in out["cypher"] and out["parameters"]["key"] == keys[ring_order]


def test_seeds_and_tuning_reach_the_fraud_study() -> None:
    """``run_fraud`` keeps its zoo so a task with ``seeds: N`` averages it; ``tune`` searches."""
    from gnn.node_zoo import summarise
    from gnn.tasks.spec import Tune

    nodes, rels = toy_fraud_records(users=60, rings=8, seed=5)
    data = property_data(records_to_arrays(nodes, rels, FRAUD_NODE_PROPERTIES))
    settings = TrainConfig(dim=8, max_epochs=4, patience=2)
    runs = [
        run_fraud(data, seed=s, device="cpu", settings=settings, models=["logreg", "lightgbm"],
                  tune=Tune(trials=2))
        for s in (1, 2)
    ]  # fmt: skip
    entries, sel = summarise([r.zoo for r in runs])
    assert [e["name"] for e in entries][:3] == ["rules", "logreg", "lightgbm"]
    assert entries[1]["seeds"] == [1, 2] and "mean of 2 seeds" in sel["metric"]
    assert runs[0].report["models"][1]["tuned"]["trials"] == 2
