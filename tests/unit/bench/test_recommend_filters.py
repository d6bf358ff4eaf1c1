"""The GF-CF benchmark's table: one row per model, time as a multiple of GF-CF's."""

from bench.recommend_filters import table


def _model(name: str, recall: float, seconds: float) -> dict[str, object]:
    m = {"recall@20": recall, "ndcg@20": recall / 2}
    return {"name": name, "valid_metrics": m, "metrics": m, "total_seconds": seconds}


def test_table_uses_gf_cf_as_the_time_base() -> None:
    report = {
        "models": [_model("gf-cf", 0.5, 2.0), _model("lightgcn", 0.4, 10.0)],
        "selection": {"best_on_valid": "gf-cf", "served": "lightgcn", "note": "gf-cf best"},
        "split": {"eval": {"valid": {"users": 3}, "test": {"users": 4}}},
    }
    out = table(report)
    assert "| gf-cf | 0.5000 | 0.2500 | 0.5000 | 0.2500 | 2.00 | 1.0 |" in out
    assert "| lightgcn | 0.4000 | 0.2000 | 0.4000 | 0.2000 | 10.00 | 5.0 |" in out
    assert "served: lightgcn" in out and "note: gf-cf best" in out
