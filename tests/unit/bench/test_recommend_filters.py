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
    assert "| gf-cf | 0.5000 | 0.2500 | 0.5000 | 0.2500 | - | 2.00 | 1.0 |" in out
    assert "| lightgcn | 0.4000 | 0.2000 | 0.4000 | 0.2000 | - | 10.00 | 5.0 |" in out
    assert "served: lightgcn" in out and "note: gf-cf best" in out


def test_table_shows_cold_start_and_the_kg_weight_chosen_on_valid() -> None:
    kg = _model("kg-gf", 0.6, 3.0)
    kg["cold_start"] = {"recall@20": 0.25}
    kg["kg_filter"] = {
        "beta": 0.3,
        "valid_recall@20": {"0.0": 0.5, "0.3": 0.6},
        "entities": 7,
        "relations": {"Product-MADE_BY-Brand": 7},
    }
    report = {
        "models": [_model("gf-cf", 0.5, 2.0), kg],
        "selection": {"best_on_valid": "kg-gf", "served": "none"},
        "split": {"eval": {"valid": {"users": 3}, "test": {"users": 4}}},
    }
    out = table(report)
    assert "| kg-gf | 0.6000 | 0.3000 | 0.6000 | 0.3000 | 0.2500 | 3.00 | 1.5 |" in out
    assert "beta 0.3 chosen on valid (valid R@20 by beta: 0.0: 0.5000, 0.3: 0.6000)" in out
    assert "7 KG entities from Product-MADE_BY-Brand (7)" in out


def test_new_items_are_bought_only_at_the_end() -> None:
    import torch

    from bench.recommend_filters import make_new
    from gnn.synthetic import toy_purchase_graph

    data = toy_purchase_graph(40, 30, 400, seed=0)
    before = data["Order", "CONTAINS", "Product"].edge_index.shape[1]
    assert make_new(data, 0.2, seed=0) == 6
    ei = data["Order", "CONTAINS", "Product"].edge_index
    late = torch.quantile(data["Order"].time.double(), 0.95)
    counts = torch.bincount(ei[1][data["Order"].time[ei[0]] < late], minlength=30)
    assert int((counts == 0).sum()) >= 6 and ei.shape[1] < before
