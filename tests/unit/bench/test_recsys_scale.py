"""The scale benchmark's synthetic graph (size, shape, power law) and its model table."""

import numpy as np

from bench.recsys_scale import model_table, synthetic


def test_synthetic_graph_has_the_asked_size_and_a_power_law_shape() -> None:
    g = synthetic(100_000, seed=3)
    u, i = g["u"], g["i"]
    assert u.size == 100_000 == np.unique(u.astype(np.int64) * int(g["items"]) + i).size
    assert int(g["users"]) == 2_986 and int(g["items"]) == 4_098  # the 1M shape, scaled
    deg = np.sort(np.bincount(i, minlength=int(g["items"])))[::-1]
    assert deg[: deg.size // 100].sum() > 0.1 * u.size  # the top 1 % of items: > 10 % of sales
    assert g["t"].min() >= 1.7e9 and g["item_cat"].max() < int(g["cats"])
    assert np.array_equal(synthetic(100_000, seed=3)["u"], u)  # seeded


def _model(name: str, recall: float, seconds: float) -> dict[str, object]:
    m = {"recall@20": recall, "ndcg@20": recall / 2}
    return {"name": name, "valid_metrics": m, "metrics": m, "total_seconds": seconds}


def test_table_divides_by_gf_cf_and_names_the_served_model() -> None:
    lg = _model("lightgcn", 0.4, 10.0) | {"epochs_run": 5, "seconds_per_epoch": 1.5}
    report = {
        "models": [_model("gf-cf", 0.5, 2.0), lg],
        "selection": {"served": "gf-cf"},
    }
    out = model_table(report)
    assert "| gf-cf | 0.5000 | 0.5000 | 0.2500 | - | - | 2.0 | 1.00 | - |" in out
    assert "| lightgcn | 0.4000 | 0.4000 | 0.2000 | 5 | 1.50 | 10.0 | 5.00 | - |" in out
    assert "served (best on valid): gf-cf, test R@20 0.5000 vs gf-cf 0.5000" in out
