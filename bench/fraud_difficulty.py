"""The built-in fraud task at both difficulties, every model side by side over several seeds.

Generates the small marketplace plain and camouflaged (``--fraud camouflaged``), ingests each
into an emptied bench Neo4j through the built-in mapping (no enrichers: entity resolution and
text extraction add nothing the fraud features read except ``SAME_AS``, which is then absent
in both), and runs the ``fraud`` preset's study (rules and the whole zoo, temporal split with
label delay) once per seed. Prints valid/test PR-AUC mean ± std per model and the model chosen
on valid; the ratio column is each model's test PR-AUC over the best tree's (LightGBM with or
without graph features, whichever is better on valid).

    .venv/bin/python bench/fraud_difficulty.py --seeds 5
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    OUT_DIR,
    ROOT,
    Machine,
    Stopwatch,
    bench_server,
    bench_server_config,
    command_line,
    reset_database,
)


def one(fraud: str, seeds: list[int], cfg: Any, driver: Any) -> dict[str, Any]:
    import numpy as np

    from cartograph.pipeline import MARKETPLACE_MAPPING, ensure_marketplace, run_ingest
    from extraction.pseudonymise import Pseudonymiser
    from gnn.tasks import load_task
    from gnn.tasks.runner import evaluate_task
    from graph.connection import Neo4jTarget

    reset_database(driver)
    data = ensure_marketplace(ROOT / "var" / "data", "small", 7, fraud)
    target = Neo4jTarget(
        uri=cfg.bolt_uri, user="neo4j", password=cfg.password_file.read_text().strip()
    )
    run_dir = OUT_DIR / f"fraud-{fraud}"
    run_dir.mkdir(parents=True, exist_ok=True)
    with Stopwatch() as ingest:
        run_ingest(
            target, data, MARKETPLACE_MAPPING, Pseudonymiser(b"bench-secret-0123456789abcdef"),
            run_dir, show_progress=False,
        )  # fmt: skip
    spec = load_task("fraud")
    reports = []
    with Stopwatch() as train:
        for seed in seeds:
            reports.append(evaluate_task(driver, "neo4j", spec, seed, "cpu").report)
    names = [m["name"] for m in reports[0]["models"]]
    rows = []
    for name in names:
        valid = [
            next(m for m in r["models"] if m["name"] == name)["valid_metrics"] for r in reports
        ]
        test = [next(m for m in r["models"] if m["name"] == name)["metrics"] for r in reports]
        v = np.array([x["pr_auc"] for x in valid], dtype=float)
        t = np.array([x["pr_auc"] for x in test], dtype=float)
        rows.append(
            {"name": name, "valid": float(v.mean()), "valid_std": float(v.std()),
             "test": float(t.mean()), "test_std": float(t.std())}
        )  # fmt: skip
    return {
        "fraud": fraud,
        "seeds": seeds,
        "split": reports[0]["split"],
        "ingest_s": round(ingest.seconds, 1),
        "train_s_per_seed": round(train.seconds / len(seeds), 1),
        "models": rows,
        "chosen_per_seed": [r["selection"]["best_on_valid"] for r in reports],
    }


def table(res: dict[str, Any]) -> str:
    models = res["models"]
    trees = [m for m in models if m["name"].startswith("lightgbm")]
    best_tree = max(trees, key=lambda m: m["valid"])
    chosen = max(models, key=lambda m: m["valid"])
    out = [
        f"\n{res['fraud']} fraud: seeds {res['seeds']}; ingest {res['ingest_s']} s, study "
        f"{res['train_s_per_seed']} s per seed; test positives "
        f"{res['split']['periods']['test'].get('positives')}",
        f"{'model':<16}{'valid PR-AUC':>18}{'test PR-AUC':>18}{'/ best tree':>13}",
    ]
    for m in models:
        out.append(
            f"{m['name']:<16}{m['valid']:>10.4f} ± {m['valid_std']:.4f}{m['test']:>10.4f} ± "
            f"{m['test_std']:.4f}{m['test'] / max(best_tree['test'], 1e-9):>13.2f}"
        )
    out.append(
        f"chosen on mean valid: {chosen['name']} (test {chosen['test']:.4f}); best tree: "
        f"{best_tree['name']} (test {best_tree['test']:.4f}); chosen per seed: "
        f"{res['chosen_per_seed']}"
    )
    return "\n".join(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--fraud", choices=["plain", "camouflaged", "both"], default="both")
    p.add_argument("--bolt-port", type=int, default=7690)
    p.add_argument("--http-port", type=int, default=7477)
    args = p.parse_args()
    cfg = dataclasses.replace(
        bench_server_config(), bolt_port=args.bolt_port, http_port=args.http_port,
        home=ROOT / "var" / "neo4j-bench-fraud",
    )  # fmt: skip
    kinds = ["plain", "camouflaged"] if args.fraud == "both" else [args.fraud]
    seeds = [7 + i for i in range(args.seeds)]
    with bench_server(cfg) as driver:
        results = [one(k, seeds, cfg, driver) for k in kinds]
    machine = Machine.here().as_dict()
    print(f"# {command_line()}\n# machine: {machine}; load {os.getloadavg()}")
    for res in results:
        print(table(res))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / "fraud_difficulty.json"
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2, default=str))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
