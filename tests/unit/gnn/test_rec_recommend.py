"""The whole recommendation run on a tiny graph: result shape and determinism."""

from pathlib import Path
from typing import Any

import pytest
import torch

from gnn.device import autocast, pick_device
from gnn.recommend import ALL_MODELS, RecommendConfig, train_and_evaluate
from gnn.split import SplitConfig
from gnn.synthetic import toy_purchase_graph
from gnn.train import TrainConfig

FAST = RecommendConfig(dim=8, ks=(5, 10), train=TrainConfig(max_epochs=3, batch_size=128))


def _run(seed: int, models: tuple[str, ...] = ALL_MODELS) -> dict[str, Any]:
    data = toy_purchase_graph(seed=5)
    cfg = RecommendConfig(dim=FAST.dim, ks=FAST.ks, train=FAST.train, models=models)
    return train_and_evaluate(data, SplitConfig(), cfg, seed=seed, device="cpu")


def test_result_has_the_report_shape() -> None:
    out = _run(7)
    assert out["seed"] == 7 and out["device"] == "cpu"
    assert {"t1", "t2", "interactions", "eval", "message_graph", "left_out"} <= set(out["split"])
    names = [m["name"] for m in out["models"]]
    assert names == list(ALL_MODELS)
    for m in out["models"]:
        assert {"recall@10", "ndcg@10", "hit@10", "mrr"} <= set(m["metrics"])
        assert all(0.0 <= v <= 1.0 for v in m["metrics"].values())
        assert isinstance(m["is_gnn"], bool)
    trained = [m for m in out["models"] if m["train_config"] is not None]
    assert len(trained) == 4
    for m in trained:
        assert 1 <= len(m["curve"]) <= 3 and 1 <= m["best_epoch"] <= 3
        assert {"epoch", "loss", "valid_recall@10"} <= set(m["curve"][0])
        assert m["seconds_per_epoch"] > 0
        assert m["epochs_run"] == len(m["curve"]) and m["stopped"] in ("patience", "max epochs")
        assert m["fit_seconds"] >= m["seconds_per_epoch"] * m["epochs_run"] * 0.99
        assert m["test_refit"]["epochs_run"] == m["best_epoch"]
        assert m["test_refit"]["stopped"] == "fixed epochs"
    for m in out["models"]:
        assert m["peak_rss_mb"] > 0 and m["total_seconds"] >= 0
    assert out["selection"]["best_on_valid"] in names
    # every model is servable (filters from their matrices): the best on valid serves
    metric = out["selection"]["metric"].removeprefix("valid ")
    valid = {m["name"]: m["valid_metrics"][metric] for m in out["models"]}
    assert out["selection"]["served"] == out["selection"]["best_on_valid"]
    assert valid[out["selection"]["served"]] == max(valid.values())
    gf = next(m for m in out["models"] if m["name"] == "gf-cf")
    assert gf["model_args"] == {"alpha": 0.3, "rank": 256} and gf["train_config"] is None


def test_same_seed_same_metrics() -> None:
    models = ("bpr-mf", "kg-lightgcn", "hetero-sage")
    a, b = _run(3, models), _run(3, models)
    for ma, mb in zip(a["models"], b["models"], strict=True):
        assert ma["metrics"] == mb["metrics"]
        assert [r["loss"] for r in ma["curve"]] == [r["loss"] for r in mb["curve"]]


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        _run(1, ("popularity", "deep-magic"))


def test_device_helpers_fall_back_to_cpu() -> None:
    assert pick_device("cpu").type == "cpu"
    assert pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    with autocast(torch.device("cpu")):
        assert torch.ones(2).dtype == torch.float32


def test_a_rerun_with_checkpoints_reads_finished_fits_back(tmp_path: Path) -> None:
    """``cartograph train`` run again after a kill: fits that finished are read back (same
    result, marked as resumed), not retrained; the ablation keeps its own files."""
    data = toy_purchase_graph(seed=5)
    cfg = RecommendConfig(dim=8, ks=(5, 10), train=FAST.train, models=("bpr-mf", "kg-lightgcn"),
                          ablate_text=("kg-lightgcn",), checkpoint_dir=tmp_path)  # fmt: skip
    first = train_and_evaluate(data, SplitConfig(), cfg, seed=3, device="cpu")
    assert (tmp_path / "bpr-mf-valid.pt").exists() and (tmp_path / "without-content").is_dir()
    again = train_and_evaluate(data, SplitConfig(), cfg, seed=3, device="cpu")
    for a, b in zip(first["models"], again["models"], strict=True):
        assert a["metrics"] == b["metrics"] and a["curve"] == b["curve"]
        assert b["resumed_at_epoch"] == b["epochs_run"] and "resumed_at_epoch" not in a
    assert first["ablation"] == again["ablation"]
