"""The node-classification zoo on small in-memory graphs: every family, choice on valid,
leak-proof label features, the band-pass model's filters and causality, and spec errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch_geometric.data import HeteroData

from cartograph.errors import CartographError
from gnn.classify_spec import NODE_MODELS, ClassifySpec, TrainConfig
from gnn.classify_views import View
from gnn.models.bwgnn import BandPassClassifier, beta_coefficients
from gnn.node_features import node_graph_features
from gnn.node_zoo import check_models, run_zoo, summarise
from gnn.tasks.spec import load_task

SPEC = ClassifySpec(target="Account", label="is_fraud", split="given")
FAST = TrainConfig(dim=16, max_epochs=15, patience=5)


def _graph(n: int = 600, seed: int = 0) -> HeteroData:
    """Accounts with a weak feature signal, random account links and shared cards, where
    fraudsters share cards with each other (a ring signal only the graph shows)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.12).astype(float)
    x = rng.normal(size=(n, 4)) + 0.5 * y[:, None] * (np.arange(4) < 1)
    data = HeteroData()
    st = data["Account"]
    st.num_nodes, st.node_key = n, [f"a{i}" for i in range(n)]
    for j in range(4):
        st[f"f{j}"] = torch.tensor(x[:, j])
    st["is_fraud"] = torch.tensor(y)
    st["split"] = torch.tensor(rng.choice(3, n, p=[0.3, 0.4, 0.3]).astype(float))
    st["split__values"] = ["test", "train", "valid"]
    src, dst = rng.integers(0, n, 3 * n), rng.integers(0, n, 3 * n)
    data["Account", "KNOWS", "Account"].edge_index = torch.tensor(np.stack([src, dst]))
    cards = np.where(y > 0, rng.integers(0, 15, n), rng.integers(15, 400, n))
    data["Card"].num_nodes, data["Card"].node_key = 400, [f"c{i}" for i in range(400)]
    data["Account", "USES", "Card"].edge_index = torch.tensor(np.stack([np.arange(n), cards]))
    return data


def test_every_family_runs_side_by_side_and_the_best_on_valid_is_served() -> None:
    run = run_zoo(_graph(), SPEC, FAST, 7, torch.device("cpu"), check_models(None))
    entries, sel = summarise([run])
    assert [e["name"] for e in entries] == list(NODE_MODELS)
    valid = {e["name"]: e["valid_metrics"]["pr_auc"] for e in entries}
    assert sel["served"] == max(valid, key=lambda k: valid[k])
    assert sel["valid"] >= valid["logreg"] and sel["valid"] >= valid["lightgbm"]
    assert sel["valid_margin_over_baseline"] == pytest.approx(
        valid[sel["served"]] - max(valid["logreg"], valid["lightgbm"]), abs=1e-4
    )
    # the ring signal is in the graph only: trees with graph features beat trees without
    assert valid["lightgbm+graph"] > valid["lightgbm"]
    for c in run.candidates:
        assert c.scores.shape == (600,) and np.isfinite(c.scores).all()
    stack = next(e for e in entries if e["name"] == "stack")
    assert stack["valid_protocol"].endswith("out-of-fold on the valid period")


def test_seeds_report_mean_and_std() -> None:
    models = ["logreg", "lightgbm"]
    runs = [run_zoo(_graph(), SPEC, FAST, s, torch.device("cpu"), models) for s in (1, 2)]
    entries, sel = summarise(runs)
    assert entries[1]["seeds"] == [1, 2] and "pr_auc" in entries[1]["metrics_std"]
    assert "mean of 2 seeds" in sel["metric"]


def test_label_features_never_read_the_nodes_own_label() -> None:
    """A node's own training label must not reach its own features (it would come back
    through account -> card -> account), or trees learn a feature eval nodes never have."""
    data = _graph()
    from gnn.classify import build_view

    view = build_view(data, SPEC)
    rows = torch.arange(300)
    y = data["Account"].is_fraud[rows].clone()
    before = node_graph_features(view, rows, y)
    y[5] = 1 - y[5]
    after = node_graph_features(view, rows, y)
    for name in before:
        if "known_pos" in name or "pos_share" in name:
            np.testing.assert_array_equal(before[name][5], after[name][5], err_msg=name)
    changed = [k for k in before if not np.array_equal(before[k], after[k], equal_nan=True)]
    assert changed  # but the neighbours of node 5 do see it


def test_beta_wavelets_split_low_and_high_frequencies() -> None:
    coef = np.asarray(beta_coefficients(2))
    lam = np.array([0.0, 1.0, 2.0])
    theta = np.stack([np.polyval(row[::-1], lam) for row in coef])
    assert theta[0, 0] > 0 and theta[0, 2] == pytest.approx(0)  # low-pass
    assert theta[2, 0] == pytest.approx(0) and theta[2, 2] > 0  # high-pass
    assert theta[1, 0] == pytest.approx(0) and theta[1, 1] > 0  # band-pass


def test_band_pass_model_hears_only_along_edges() -> None:
    """On a causal view (older -> younger edges) an older node's score ignores younger ones."""
    torch.manual_seed(0)
    n = 6
    x = torch.randn(n, 3)
    edges = {("A", "via_X", "A"): torch.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]])}
    view = View("A", {"A": x}, edges, {"A": n}, torch.arange(n).double())
    model = BandPassClassifier("A", {"A": 3}, {"A": n}, list(edges), dim=8).eval()
    base = model(view.x, view.edges)
    x2 = x.clone()
    x2[5] += 10.0
    moved = model({"A": x2}, view.edges)
    assert torch.allclose(base[:5], moved[:5]) and not torch.allclose(base[5], moved[5])


def test_unknown_model_names_are_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(CartographError, match=r"nonexistent-model.*registered: logreg"):
        check_models(["lightgbm", "nonexistent-model"])
    spec = tmp_path / "t.yaml"
    spec.write_text(
        "name: t\nkind: node_classification\nlabel: A\nlabel_property: y\n"
        "models: [lightgbm, nonexistent-model]\n"
    )
    with pytest.raises(CartographError) as err:
        load_task(spec)
    assert err.value.code == "E146" and "registered: logreg, lightgbm" in str(err.value)


def test_a_single_class_among_training_labels_is_a_coded_error() -> None:
    data = _graph()
    data["Account"].is_fraud = torch.zeros(600, dtype=torch.float64)
    with pytest.raises(CartographError) as err:
        run_zoo(data, SPEC, FAST, 7, torch.device("cpu"), ["logreg"])
    assert err.value.code == "E537" and "is_fraud=0" in str(err.value)


def test_tuning_searches_each_family_on_valid_and_keeps_the_best_trial() -> None:
    from gnn.tasks.spec import Tune

    run = run_zoo(
        _graph(), SPEC, FAST, 7, torch.device("cpu"), ["logreg", "lightgbm"], Tune(trials=4)
    )
    for cand in run.candidates:
        tuned = cand.entry["tuned"]
        assert tuned["trials"] == 4
        assert tuned["best_valid"] == pytest.approx(cand.entry["valid_metrics"]["pr_auc"])
    untuned = run_zoo(_graph(), SPEC, FAST, 7, torch.device("cpu"), ["logreg", "lightgbm"])
    for a, b in zip(run.candidates, untuned.candidates, strict=True):
        # the defaults are trial 0, so a search never ends below them on valid
        assert a.entry["valid_metrics"]["pr_auc"] >= b.entry["valid_metrics"]["pr_auc"]
