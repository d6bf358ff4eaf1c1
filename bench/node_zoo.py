"""The node-classification zoo side by side: PR-AUC (mean ± std over seeds) and training time.

On the generic fraud graph of ``testbeds.fraud_graph`` (10k accounts, 25 numeric features,
~175k account-account edges over three relations, 7 % fraud, a given 40/20/40 split: the
public fraud benchmarks' shape), plain and camouflaged. The graph is built in memory with the
very ``HeteroData`` the Neo4j export gives (``gnn.classify_data.property_data``), so the timing
is the zoo's alone. The time ratio's base is LightGBM on the node's own features, run in the
same process on the same graph; the chosen model is the best on valid (mean over seeds).

    .venv/bin/python bench/node_zoo.py                         # both difficulties, 5 seeds
    .venv/bin/python bench/node_zoo.py --seeds 1 --accounts 2000 --edges 35000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT_DIR, Machine, Stopwatch, command_line


def hetero(graph: Any) -> Any:
    """The ``HeteroData`` an export of the mapped CSVs gives (same property handling)."""
    import numpy as np

    from gnn.classify_data import property_data
    from graph.reader import GraphArrays

    n, f = graph.features.shape
    props: dict[str, np.ndarray] = {f"f{j}": graph.features[:, j] for j in range(f)}
    props["is_fraud"] = graph.is_fraud.astype(np.float64)
    props["split"] = np.asarray(graph.split, dtype=object)
    arrays = GraphArrays(
        node_keys={"Account": [f"acc{i}" for i in range(n)]},
        node_props={"Account": props},
        edges={("Account", rel, "Account"): ei for rel, ei in graph.edges.items()},
    )
    return property_data(arrays)


def run(difficulty: str, camouflage: float, args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from gnn.classify_spec import ClassifySpec, TrainConfig
    from gnn.device import pick_device
    from gnn.node_zoo import check_models, run_zoo, summarise
    from testbeds.fraud_graph import FraudGraphConfig, generate

    cfg = FraudGraphConfig(accounts=args.accounts, edges=args.edges, camouflage=camouflage)
    with Stopwatch() as build:
        graph = generate(cfg, seed=args.data_seed)
        data = hetero(graph)
    spec = ClassifySpec(target="Account", label="is_fraud", split="given")
    device = pick_device(None if args.device == "auto" else args.device)
    runs = []
    with Stopwatch() as total:
        for s in range(args.seeds):
            models = check_models(args.models.split(",") if args.models else None)
            runs.append(run_zoo(data, spec, TrainConfig(), 7 + s, device, models))
    entries, selection = summarise(runs)
    seconds = {
        e["name"]: sum(
            next(c.entry for c in r.candidates if c.entry["name"] == e["name"]).get(
                "total_seconds", 0.0
            )
            for r in runs
        )
        / len(runs)
        for e in entries
    }
    edges = sum(int(ei.shape[1]) for ei in graph.edges.values())
    return {
        "difficulty": difficulty,
        "camouflage": camouflage,
        "accounts": args.accounts,
        "edges": edges,
        "fraud": int(graph.is_fraud.sum()),
        "data_seed": args.data_seed,
        "seeds": [r.seed for r in runs],
        "split": runs[0].split.info,
        "build_s": round(build.seconds, 1),
        "zoo_s_per_seed": round(total.seconds / len(runs), 1),
        "device": str(device),
        "models": [
            {
                "name": e["name"],
                "valid_pr_auc": e["valid_metrics"]["pr_auc"],
                "valid_std": e.get("valid_metrics_std", {}).get("pr_auc", 0.0),
                "test_pr_auc": e["metrics"]["pr_auc"],
                "test_std": e.get("metrics_std", {}).get("pr_auc", 0.0),
                "seconds": round(seconds[e["name"]], 2),
            }
            for e in entries
        ],
        "selection": selection,
        "torch_threads": torch.get_num_threads(),
    }


def table(res: dict[str, Any]) -> str:
    base = next((m["seconds"] for m in res["models"] if m["name"] == "lightgbm"), 0.0) or 1e-9
    best_tree = max(
        (m for m in res["models"] if m["name"].startswith("lightgbm")),
        key=lambda m: m["valid_pr_auc"],
    )
    lines = [
        f"\n{res['difficulty']} (camouflage {res['camouflage']}): {res['accounts']} accounts, "
        f"{res['edges']} edges, {res['fraud']} fraud, seeds {res['seeds']}, "
        f"zoo {res['zoo_s_per_seed']} s per seed on {res['device']}",
        f"{'model':<16}{'valid PR-AUC':>18}{'test PR-AUC':>18}{'s':>9}{'x lightgbm':>12}",
    ]
    for m in res["models"]:
        lines.append(
            f"{m['name']:<16}{m['valid_pr_auc']:>10.4f} ± {m['valid_std']:.4f}"
            f"{m['test_pr_auc']:>10.4f} ± {m['test_std']:.4f}{m['seconds']:>9.2f}"
            f"{m['seconds'] / base:>12.2f}"
        )
    sel = res["selection"]
    chosen = next(m for m in res["models"] if m["name"] == sel["served"])
    lines.append(
        f"chosen on valid: {sel['served']} (test {chosen['test_pr_auc']:.4f}); best tree on "
        f"valid: {best_tree['name']} (test {best_tree['test_pr_auc']:.4f})"
    )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--accounts", type=int, default=10_000)
    p.add_argument("--edges", type=int, default=175_000)
    p.add_argument("--data-seed", type=int, default=7)
    p.add_argument("--difficulty", choices=["plain", "camouflaged", "both"], default="both")
    p.add_argument("--device", default="auto")
    p.add_argument("--models", default="", help="comma-separated subset (default: the zoo)")
    args = p.parse_args()
    levels = {"plain": 0.0, "camouflaged": 1.0}
    wanted = list(levels) if args.difficulty == "both" else [args.difficulty]
    results = [run(d, levels[d], args) for d in wanted]
    machine = Machine.here().as_dict()
    print(f"# {command_line()}\n# machine: {machine}; load {os.getloadavg()}")
    for res in results:
        print(table(res))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:.0f} MiB")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / "node_zoo.json"
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2, default=str))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
