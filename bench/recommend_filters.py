"""GF-CF and KG-GF beside the trained recommenders: quality and time on one split, one seed.

Runs the link task's model comparison (``gnn.recommend.train_and_evaluate``: the temporal split,
valid-fold early stopping, test refit, full-catalogue ranking) on a synthetic purchase graph
(``gnn.synthetic``; building through Neo4j would cost more than the measurement) and prints one
row per model: valid and test Recall@20 and NDCG@20, test Recall@20 on the cold-start slice
(targets nobody bought before the test cut: where the KG filter should help), and the model's
seconds (both folds' fits and evaluations) with the training-free GF-CF as the ratio base. The
KG filter's weight chosen on valid, and each weight's valid Recall@20, follow the table.

    .venv/bin/python bench/recommend_filters.py                     # small scale, every model
    .venv/bin/python bench/recommend_filters.py --users 1000 --items 400 --orders 5000 --epochs 10
    .venv/bin/python bench/recommend_filters.py --models gf-cf kg-gf --new-items 0.1  # cold start

``--new-items F`` makes a seeded fraction ``F`` of the catalogue new: their purchases before the
last 5% of orders are removed, so they reach the test period unbought (the synthetic graph has
no such items otherwise, and the cold-start column would stay empty).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BASE = "gf-cf"  # the time column divides by its seconds: training-free, the cheapest to beat


def run(
    users: int,
    items: int,
    orders: int,
    epochs: int,
    seed: int,
    models: tuple[str, ...],
    new_items: float = 0.0,
    betas: tuple[float, ...] | None = None,
) -> dict[str, Any]:
    """The ``recommend`` report entry for a synthetic graph of the given size."""
    from gnn.recommend import MODEL_ARGS, RecommendConfig, train_and_evaluate
    from gnn.synthetic import toy_purchase_graph
    from gnn.train import TrainConfig

    data = toy_purchase_graph(users, items, orders, seed=seed)
    if new_items > 0:
        make_new(data, new_items, seed)
    args = dict(MODEL_ARGS)
    if betas is not None:
        args["kg-gf"] = {**args["kg-gf"], "betas": betas}
    cfg = RecommendConfig(
        models=models, train=TrainConfig(max_epochs=epochs), ablate_text=(), model_args=args
    )
    return train_and_evaluate(data, model_cfg=cfg, seed=seed, device="cpu")


def make_new(data: Any, fraction: float, seed: int, keep_after: float = 0.95) -> int:
    """Drop every purchase of a seeded ``fraction`` of items made before the ``keep_after``
    quantile of order times (in place): items new to the shop, bought only at the very end.
    Returns how many items were made new."""
    import numpy as np
    import torch

    rng = np.random.default_rng(seed + 1)
    n_items = int(data["Product"].num_nodes)
    new = rng.choice(n_items, round(fraction * n_items), replace=False)
    time = data["Order"].time
    cut = float(torch.quantile(time.double(), keep_after))
    for et in (("Order", "CONTAINS", "Product"), ("Review", "REVIEWS", "Product")):
        ei = data[et].edge_index
        src_time = time[ei[0]] if et[0] == "Order" else data["Review"].time[ei[0]]
        drop = torch.from_numpy(np.isin(ei[1].numpy(), new)) & (src_time < cut)
        data[et].edge_index = ei[:, ~drop]
    ei = data["User", "VIEWED", "Product"].edge_index
    data["User", "VIEWED", "Product"].edge_index = ei[:, ~torch.from_numpy(np.isin(ei[1], new))]
    return int(new.size)


def table(report: dict[str, Any]) -> str:
    """Markdown: one row per model, time as a multiple of GF-CF's; kg-gf's chosen weight."""
    rows = report["models"]
    base = next((m["total_seconds"] for m in rows if m["name"] == BASE), None)
    out = [
        "| model | valid R@20 | valid NDCG@20 | test R@20 | test NDCG@20 | cold R@20 | seconds "
        "| x gf-cf |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in rows:
        v, t, s = m["valid_metrics"], m["metrics"], m["total_seconds"]
        ratio = f"{s / base:.1f}" if base else "-"
        cold = m.get("cold_start", {}).get("recall@20")
        cold_cell = f"{cold:.4f}" if cold is not None else "-"
        out.append(
            f"| {m['name']} | {v['recall@20']:.4f} | {v['ndcg@20']:.4f} | {t['recall@20']:.4f} "
            f"| {t['ndcg@20']:.4f} | {cold_cell} | {s:.2f} | {ratio} |"
        )
    for m in rows:
        kg = m.get("kg_filter")
        if kg:
            tried = next((v for k, v in kg.items() if k.startswith("valid_")), {})
            out.append(
                f"\n{m['name']}: beta {kg['beta']} chosen on valid (valid R@20 by beta: "
                + ", ".join(f"{b}: {r:.4f}" for b, r in tried.items())
                + f"); {kg['entities']} KG entities from "
                + (", ".join(f"{r} ({n})" for r, n in kg["relations"].items()) or "no relation")
            )
    sel = report["selection"]
    out.append(f"\nbest on valid: {sel['best_on_valid']}; served: {sel['served']}")
    if "note" in sel:
        out.append(f"note: {sel['note']}")
    ev = report["split"]["eval"]
    out.append(f"evaluated users: valid {ev['valid']['users']}, test {ev['test']['users']}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    from gnn.recommend import ALL_MODELS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=3_000)
    p.add_argument("--items", type=int, default=1_200)
    p.add_argument("--orders", type=int, default=15_000)
    p.add_argument("--epochs", type=int, default=50, help="epoch budget of the trained models")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--models", nargs="+", default=list(ALL_MODELS))
    p.add_argument("--new-items", type=float, default=0.0, help="fraction of items made new")
    p.add_argument("--betas", type=float, nargs="+", help="kg-gf weights tried on valid")
    a = p.parse_args(argv)
    betas = tuple(a.betas) if a.betas else None
    report = run(a.users, a.items, a.orders, a.epochs, a.seed, tuple(a.models), a.new_items, betas)
    ev = report["split"]["eval"]["test_cold_start"]
    print(
        f"synthetic graph: {a.users} users, {a.items} items, {a.orders} orders; seed {a.seed}; "
        f"epoch budget {a.epochs}; new items {a.new_items:.0%} (cold-start slice: "
        f"{ev['users']} users, {ev['targets']} targets); cpu\n"
    )
    print(table(report))


if __name__ == "__main__":
    main()
