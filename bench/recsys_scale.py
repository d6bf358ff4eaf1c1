"""Recommendations at real size: ingest, every model's fit, evaluation, write-back and serving
load on a synthetic power-law interaction graph of 100k / 300k / 1M interactions, through the
real path (Neo4j → link spec → ``train`` → ``score`` → the API's in-memory recommender), with
the graph filter (``gf-cf``) as the ratio base; plus MovieLens-100k with a per-user random
80/20 given split beside the temporal one, every model side by side.

The synthetic graph has the shape of a public check-in benchmark (at 1M: 29,858 users x 40,981
items, as the issue's data): user activity and item popularity are Pareto (power law), each
user has a favourite category (items belong to one of ``sqrt``-many categories, the static
``IN_CATEGORY`` relation kg-gf reads) and takes 70 % of their items from it, times spread over
one year, so the temporal split cuts at the 80 % / 90 % quantiles.

    .venv/bin/python bench/recsys_scale.py --sizes 100k                 # the short run
    .venv/bin/python bench/recsys_scale.py --sizes 100k 300k 1m --budget 120
    .venv/bin/python bench/recsys_scale.py --sizes --movielens          # MovieLens-100k only

The bench starts its own Neo4j (``var/neo4j-recsys``, Bolt 7711, HTTP 7511) and stops it at
the end (``--keep-server`` leaves it up). MovieLens is read straight from the pinned RecBole
wheel (``testbeds.movielens``) into the link task's graph without Neo4j: the comparison of
models is the point there, not ingest. Phase times are wall seconds; ``peak_rss_mb`` per model
is the report's (the process's high-water mark when the model finished), and the run's peak RSS
is the process maximum (``getrusage``).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

BASE = "gf-cf"
FULL = (29_858, 40_981, 1_000_000)  # users, items, interactions at 1M (the data)
SIZES = {"100k": 100_000, "300k": 300_000, "1m": 1_000_000}
MODELS = ("popularity", "item-knn", "gf-cf", "kg-gf", "bpr-mf", "lightgcn")
SPEC = """\
name: recsys
kind: link_prediction
source: User
target: Product
interaction: {{relationship: PURCHASED}}
labels: [User, Product, Category]
relationships: [PURCHASED, IN_CATEGORY]
static_relationships: [IN_CATEGORY]
drop_labels: []
split: {{kind: temporal, valid_frac: 0.1, test_frac: 0.1}}
models: [{models}]
ks: [20]
train: {{time_budget_s: {budget}, batch_size: 8192, eval_users: 2000, eval_every: 2,
        patience: 5, min_epochs: 10}}
write_back: {{top_k: 20}}
"""


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def synthetic(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    """``n`` distinct (user, item) pairs with times, item categories: power-law and clustered."""
    rng = np.random.default_rng(seed)
    scale = n / FULL[2]
    users, items = max(300, round(FULL[0] * scale)), max(400, round(FULL[1] * scale))
    cats = max(10, round(400 * scale**0.5))
    item_cat = rng.integers(0, cats, items)
    pop = rng.pareto(1.1, items) + 1.0
    act = rng.pareto(1.3, users) + 1.0
    fav = rng.integers(0, cats, users)
    by_cat = np.argsort(item_cat, kind="stable")
    cum = np.cumsum(pop[by_cat])
    starts = np.searchsorted(item_cat[by_cat], np.arange(cats + 1))
    lo = np.concatenate([[0.0], cum])[starts[:-1]]
    hi = cum[starts[1:] - 1]
    draws = int(n * 3)
    u = rng.choice(users, draws, p=act / act.sum())
    own = rng.random(draws) < 0.7
    x_own = lo[fav[u]] + rng.random(draws) * (hi[fav[u]] - lo[fav[u]])
    x_any = rng.random(draws) * cum[-1]
    i = by_cat[np.minimum(np.searchsorted(cum, np.where(own, x_own, x_any)), items - 1)]
    _, first = np.unique(u.astype(np.int64) * items + i, return_index=True)
    keep = np.sort(first)[:n]
    t = 1.7e9 + rng.random(keep.size) * 365 * 86_400.0
    return {
        "users": np.array(users), "items": np.array(items), "cats": np.array(cats),
        "u": u[keep], "i": i[keep], "t": t, "item_cat": item_cat,
    }  # fmt: skip


def ingest(driver: Any, g: dict[str, np.ndarray]) -> dict[str, Any]:
    """Nodes and relationships through ``GraphWriter`` (the ingestion's writer)."""
    from graph.records import NodeRecord, RelRecord
    from graph.writer import GraphWriter, apply_schema

    apply_schema(driver)
    writer = GraphWriter(driver, batch_size=10_000)
    t0 = time.perf_counter()
    nodes = (
        *(NodeRecord("User", f"u{k}", {}) for k in range(int(g["users"]))),
        *(NodeRecord("Product", f"p{k}", {"title": f"item {k}"}) for k in range(int(g["items"]))),
        *(NodeRecord("Category", f"c{k}", {}) for k in range(int(g["cats"]))),
    )
    writer.write_nodes(nodes)
    cat_rels = (
        RelRecord("IN_CATEGORY", "Product", f"p{k}", "Category", f"c{c}", {})
        for k, c in enumerate(g["item_cat"].tolist())
    )
    writer.write_relationships(cat_rels)
    purchases = (
        RelRecord("PURCHASED", "User", f"u{a}", "Product", f"p{b}", {"created_at": t})
        for a, b, t in zip(g["u"].tolist(), g["i"].tolist(), g["t"].tolist(), strict=True)
    )
    writer.write_relationships(purchases)
    return {"seconds": round(time.perf_counter() - t0, 1), "interactions": int(g["u"].size)}


def run_size(driver: Any, label: str, n: int, models: tuple[str, ...], budget: float,
             seed: int, work: Path) -> dict[str, Any]:  # fmt: skip
    """One size end to end: ingest, train (every model), score (Neo4j + CSV), serving load."""
    from api.recommender import Recommender
    from bench.common import reset_database
    from gnn.artefacts import load_artefact
    from gnn.score import link_scores
    from gnn.tasks import load_task
    from gnn.tasks.runner import score_task, train_task

    out: dict[str, Any] = {"size": label}
    wall = time.perf_counter()
    reset_database(driver, settle_s=1.0)
    t0 = time.perf_counter()
    g = synthetic(n, seed)
    out["graph"] = {
        "users": int(g["users"]), "items": int(g["items"]), "categories": int(g["cats"]),
        "interactions": int(g["u"].size), "generate_seconds": round(time.perf_counter() - t0, 1),
    }  # fmt: skip
    out["ingest"] = ingest(driver, g)
    del g
    spec_path = work / f"recsys-{label}.yaml"
    spec_path.write_text(SPEC.format(models=", ".join(models), budget=budget))
    spec = load_task(spec_path)
    t0 = time.perf_counter()
    run = train_task(driver, "neo4j", spec, seed, "cpu", work / "models")  # type: ignore[arg-type]
    out["train_seconds"] = round(time.perf_counter() - t0, 1)
    out["report"] = run.report
    assert run.model_dir is not None
    t0 = time.perf_counter()
    summary = score_task(driver, "neo4j", run.model_dir, work / f"scores-{label}.csv", top=20)
    out["score"] = {
        "seconds": round(time.perf_counter() - t0, 1), "rows": summary.rows,
        "neo4j": summary.written, "peak_rss_mb": peak_rss_mb(),
    }  # fmt: skip
    t0 = time.perf_counter()
    rec = Recommender(load_artefact(run.model_dir))
    load_s = time.perf_counter() - t0
    state = rec.state(rec.user_keys[0], lambda u: (False, []))
    t0 = time.perf_counter()
    rec.top_k(state, 20) if state is not None else None
    out["serve"] = {
        "model": rec.version, "load_seconds": round(load_s, 2),
        "one_user_top20_ms": round((time.perf_counter() - t0) * 1000, 1),
    }  # fmt: skip
    out["end_to_end_seconds"] = round(time.perf_counter() - wall, 1)
    out["peak_rss_mb"] = peak_rss_mb()
    # outside the end-to-end time: the ranking alone, to split the score step's seconds into
    # ranking and writing (score_task ranked once, then wrote)
    t0 = time.perf_counter()
    ranked = sum(1 for _ in link_scores(load_artefact(run.model_dir), 20))
    out["score"]["rank_seconds"] = round(time.perf_counter() - t0, 1)
    assert summary.rows == ranked
    return out


def movielens(work: Path, models: tuple[str, ...], budget: float, seed: int) -> dict[str, Any]:
    """Every model on MovieLens-100k under the temporal split and a per-user random 80/20
    given split (valid carved from train, seeded), straight from the RecBole files."""
    import torch
    from torch_geometric.data import HeteroData

    from gnn.recommend import RecommendConfig, train_and_evaluate
    from gnn.split import SplitConfig
    from gnn.train import TrainConfig
    from testbeds.movielens import prepare_movielens, read_atomic

    root = Path(__file__).resolve().parents[1] / "var"
    raw_dir = prepare_movielens(root / "data", root / "cache" / "wheels") / "raw"
    inter = list(read_atomic(raw_dir / "ml-100k.inter"))
    items = list(read_atomic(raw_dir / "ml-100k.item"))
    uk = sorted({r["user_id"] for r in inter}, key=int)
    ik = sorted({r["item_id"] for r in items} | {r["item_id"] for r in inter}, key=int)
    urow, irow = {k: n for n, k in enumerate(uk)}, {k: n for n, k in enumerate(ik)}
    u = np.array([urow[r["user_id"]] for r in inter])
    i = np.array([irow[r["item_id"]] for r in inter])
    t = np.array([float(r["timestamp"]) for r in inter])
    genres = sorted({g for r in items for g in r.get("class", "").split() if g})
    grow = {g: n for n, g in enumerate(genres)}
    gi = [(irow[r["item_id"]], grow[g]) for r in items for g in r.get("class", "").split() if g]
    rng = np.random.default_rng(seed)
    code = np.zeros(u.size, dtype=np.int64)  # per user: a random 20 % of their ratings is test
    for user in range(len(uk)):
        rows = np.flatnonzero(u == user)
        test = rng.choice(rows, round(0.2 * rows.size), replace=False)
        code[test] = 2
    data = HeteroData()
    for label, keys in (("Viewer", uk), ("Movie", ik), ("Genre", genres)):
        data[label].node_key = list(keys)
        data[label].num_nodes = len(keys)
    et = ("Viewer", "RATED", "Movie")
    data[et].edge_index = torch.from_numpy(np.stack([u, i]))
    data[et].time = torch.from_numpy(t)
    data[et].split = torch.from_numpy(code)
    data["Movie", "IN_GENRE", "Genre"].edge_index = torch.tensor(gi).T.contiguous()
    train = TrainConfig(time_budget_s=budget, eval_users=1000, min_epochs=2)
    out: dict[str, Any] = {"ratings": int(u.size), "users": len(uk), "items": len(ik)}
    for kind in ("given", "temporal"):
        split = SplitConfig(
            user="Viewer", item="Movie", relationship="RATED", kind=kind,  # type: ignore[arg-type]
            static_rel_types=("IN_GENRE",), seed=seed, drop_labels=(),
        )  # fmt: skip
        cfg = RecommendConfig(models=models, ks=(20,), train=train)
        t0 = time.perf_counter()
        out[kind] = train_and_evaluate(data, split, cfg, seed, "cpu")
        out[kind]["wall_seconds"] = round(time.perf_counter() - t0, 1)
    return out


def model_table(report: dict[str, Any]) -> str:
    """One row per model: valid/test Recall@20 and NDCG@20, epochs, s/epoch, seconds, x gf-cf,
    peak RSS; the served model last."""
    rows = report["models"]
    base = next((m["total_seconds"] for m in rows if m["name"] == BASE), None)
    out = [
        "| model | valid R@20 | test R@20 | test NDCG@20 | epochs | s/epoch | seconds | x gf-cf "
        "| peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in rows:
        v, t, s = m["valid_metrics"], m["metrics"], m["total_seconds"]
        spe = m.get("seconds_per_epoch")
        out.append(
            f"| {m['name']} | {v['recall@20']:.4f} | {t['recall@20']:.4f} | {t['ndcg@20']:.4f} "
            f"| {m.get('epochs_run', '-')} | {f'{spe:.2f}' if spe else '-'} | {s:.1f} "
            f"| {s / base:.2f} | {m.get('peak_rss_mb', '-')} |"
            if base
            else f"| {m['name']} | {v['recall@20']:.4f} | {t['recall@20']:.4f} "
            f"| {t['ndcg@20']:.4f} | - | - | {s:.1f} | - | - |"
        )
    sel = report["selection"]
    served = next(m for m in rows if m["name"] == sel["served"])
    gf = next((m for m in rows if m["name"] == BASE), None)
    line = f"\nserved (best on valid): {sel['served']}, "
    line += f"test R@20 {served['metrics']['recall@20']:.4f}"
    if gf is not None:
        line += f" vs {BASE} {gf['metrics']['recall@20']:.4f}"
    return "\n".join([*out, line])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", nargs="*", default=["100k"], choices=list(SIZES))
    p.add_argument("--models", nargs="+", default=list(MODELS))
    p.add_argument("--budget", type=float, default=120.0, help="time_budget_s per trained fit")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--movielens", action="store_true")
    p.add_argument("--keep-server", action="store_true")
    p.add_argument("--json", type=Path, help="write every result here")
    a = p.parse_args(argv)

    import dataclasses

    from bench.common import Machine, bench_server, bench_server_config, command_line

    results: dict[str, Any] = {"command": command_line(), "machine": Machine.here().as_dict()}
    print(f"{results['command']}\n{results['machine']}\n", flush=True)
    models = tuple(a.models)
    with tempfile.TemporaryDirectory(prefix="recsys-") as tmp:
        work = Path(tmp)
        if a.sizes:
            root = Path(__file__).resolve().parents[1]
            cfg = dataclasses.replace(
                bench_server_config(), home=root / "var" / "neo4j-recsys", bolt_port=7711,
                http_port=7511,
            )  # fmt: skip
            with bench_server(cfg, keep=a.keep_server) as driver:
                for label in a.sizes:
                    res = run_size(driver, label, SIZES[label], models, a.budget, a.seed, work)
                    results[label] = res
                    report = res.pop("report")
                    res["models"] = report["models"]
                    res["selection"] = report["selection"]
                    head = {k: v for k, v in res.items() if k not in ("models", "selection")}
                    print(f"## {label}: {json.dumps(head, default=str)}")
                    print(model_table(report), flush=True)
                    print(f"load avg now: {Machine.here().load_avg_1m}\n", flush=True)
        if a.movielens:
            ml = movielens(work, models, a.budget, a.seed)
            results["movielens"] = ml
            for kind in ("given", "temporal"):
                print(f"## MovieLens-100k, {kind} split ({ml[kind]['wall_seconds']} s)")
                print(model_table(ml[kind]), flush=True)
    results["peak_rss_mb"] = peak_rss_mb()
    results["load_avg_end"] = Machine.here().load_avg_1m
    if a.json:
        a.json.write_text(json.dumps(results, indent=1, default=str))
    print(f"peak RSS {results['peak_rss_mb']} MB; load avg at end {results['load_avg_end']}")


if __name__ == "__main__":
    main()
