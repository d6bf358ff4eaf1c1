"""The Markdown a task's report renders: the chosen model, every model side by side, the
ablation table, all from the very dict report.json holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cartograph.report_tasks import _valid_curve, task_markdown, task_plots


def _model(name: str, valid: float, test: float, gnn: bool = False) -> dict[str, Any]:
    metrics = {"roc_auc": 0.9, "pr_auc": test, "recall@1%": 0.1, "recall@5%": 0.3}
    return {"name": name, "is_gnn": gnn, "metrics": metrics, "valid_metrics": {"pr_auc": valid}}


def test_fraud_section_names_the_choice_and_renders_the_ablation() -> None:
    entry = {
        "task": "transaction risk",
        "seed": 7,
        "device": "cpu",
        "split": {"kind": "temporal, label delay"},
        "models": [
            _model("lightgbm", 0.61, 0.60),
            _model("lightgbm+graph", 0.72, 0.70),
            _model("bwgnn", 0.75, 0.74, gnn=True),
        ],
        "selection": {
            "metric": "valid pr_auc",
            "best_on_valid": "bwgnn",
            "served": "bwgnn",
            "best_baseline_on_valid": "lightgbm",
            "valid_margin_over_baseline": 0.14,
            "test_margin_over_baseline": 0.14,
            "note": "online scoring uses gnn-sage+graph",
        },
        "ablation": {
            "graph_features": {
                "lightgbm": {
                    "without graph features": {"pr_auc": 0.6012},
                    "with graph features": {"pr_auc": 0.7034},
                }
            }
        },
    }
    md = task_markdown("fraud", entry, {})
    assert "Chosen on valid: **bwgnn** (valid pr_auc), +0.1400 on valid" in md
    assert "over the best baseline (lightgbm)" in md and "None" not in md
    assert "| lightgbm | without graph features | - | 0.6012 |" in md
    assert "| lightgbm | with graph features | - | 0.7034 |" in md
    assert "| **bwgnn** | yes | 0.7500 |" in md


def test_several_seeds_render_mean_and_std() -> None:
    m = _model("logreg", 0.5, 0.4)
    m["metrics_std"] = {"pr_auc": 0.0123}
    entry = {"models": [m], "split": {}, "selection": {"best_on_valid": "logreg"}}
    assert "0.4000 ± 0.0123" in task_markdown("t", entry, {})


def test_link_section_reports_the_kg_filter_weight_chosen_on_valid() -> None:
    m = {
        "name": "kg-gf",
        "is_gnn": False,
        "metrics": {"recall@20": 0.5},
        "valid_metrics": {"ndcg@20": 0.3},
        "kg_filter": {
            "relations": {"Product-MADE_BY-Brand": 4},
            "entities": 4,
            "valid_recall@20": {"0.0": 0.41, "0.3": 0.45},
            "beta": 0.3,
        },
    }
    md = task_markdown("recommend", {"models": [m], "split": {}}, {})
    assert "kg-gf: KG weight 0.3 chosen on valid recall@20 (0.0: 0.4100, 0.3: 0.4500" in md
    assert "over 4 item groups from Product-MADE_BY-Brand (4)." in md


def test_training_curves_plot_models_validated_every_other_epoch(tmp_path: Path) -> None:
    """With ``eval_every: 2`` (the demo past `small`) the first epoch has only a loss; the
    curve is still drawn from the epochs that were validated."""
    curve = [{"epoch": e, "loss": 1.0 / e, **({"valid_recall@20": e / 10} if e % 2 == 0 else {})}
             for e in range(1, 6)]  # fmt: skip
    assert _valid_curve(curve) == ("valid_recall@20", [curve[1], curve[3]])
    assert _valid_curve([{"epoch": 1, "loss": 0.5}]) == ("", [])
    entry = {"models": [{"name": "bpr-mf", "curve": curve}, {"name": "popularity"}]}
    plots = task_plots("recommend", entry, tmp_path)
    assert plots["training curves"] and (tmp_path / plots["training curves"]).stat().st_size > 0
    assert "training curves" not in task_plots(
        "recommend", {"models": entry["models"][1:]}, tmp_path
    )
