"""Training cost per model and scale: seconds per epoch and peak memory, side by side.

Each (task, scale, model) runs in its own process so peak memory (max RSS on CPU, peak
allocated on CUDA) belongs to that model alone. The graphs are synthetic with the node and
order counts of the marketplace's scales (``gnn.synthetic``): building a large graph through
Neo4j would take longer than the measurement. Ratios are against the task's plain baseline
measured in the same run (``bpr-mf`` for recommend, the feature-only MLP for fraud), since
absolute times on a shared machine mean little.

    .venv/bin/python bench/train.py                      # small and medium, every model
    .venv/bin/python bench/train.py --scales large --epochs 1
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT_DIR, Stopwatch

# users, products, orders: the marketplace generator's counts at each scale (seed 7).
SCALES = {
    "small": (3_000, 1_200, 15_000),
    "medium": (30_000, 6_000, 150_000),
    "large": (200_000, 20_000, 1_000_000),
}
RECOMMEND_MODELS = ("bpr-mf", "lightgcn", "kg-lightgcn", "hetero-sage")
BASELINES = ("bpr-mf", "gnn-1-layer")  # the ratio column divides by these, per task and scale


def measure_recommend(scale: str, model_name: str, epochs: int, device: str) -> dict[str, Any]:
    """Time ``epochs`` BPR epochs of one model on the test fold of a synthetic graph."""
    import torch

    from gnn.device import pick_device, seed_everything
    from gnn.recommend import RecommendConfig, build_model, make_fold
    from gnn.split import temporal_split
    from gnn.synthetic import toy_purchase_graph
    from gnn.train import fit_bpr

    users, items, orders = SCALES[scale]
    with Stopwatch() as building:
        data = toy_purchase_graph(users, items, orders, seed=7)
        split = temporal_split(data)
        fold = make_fold(data, split, "test")
    build_s = building.seconds
    dev = pick_device(None if device == "auto" else device)
    cfg = RecommendConfig()
    gen = seed_everything(7)
    model = build_model(model_name, fold.graph, split, cfg).to(dev)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    result = fit_bpr(
        model, fold.graph, fold.positives, split.num_items, cfg.train, gen, None, epochs
    )
    return {
        "seconds_per_epoch": result.seconds_per_epoch,
        "build_s": round(build_s, 2),
        "interactions": int(fold.positives.shape[1]),
        "params": sum(p.numel() for p in model.parameters()),
        "cuda_peak_mb": round(torch.cuda.max_memory_allocated(dev) / 2**20, 1)
        if dev.type == "cuda"
        else None,
        "device": str(dev),
    }


# fraud: accounts of the toy ring marketplace (gnn.fraud.toy) sized like the scales' users.
FRAUD_USERS = {"small": 3_000, "medium": 30_000, "large": 200_000}
FRAUD_MODELS = ("gnn-1-layer", "gnn-sage")


def measure_fraud(scale: str, model_name: str, epochs: int, device: str) -> dict[str, Any]:
    """Full-batch epochs of the causal fraud GNN (1 layer = the baseline, 2 = the default)."""
    import torch

    from gnn.classify import build_view, fit
    from gnn.classify_data import property_data
    from gnn.classify_spec import TrainConfig
    from gnn.classify_split import node_split
    from gnn.device import pick_device
    from gnn.fraud import FRAUD_NODE_PROPERTIES, FRAUD_SPEC
    from gnn.fraud.toy import records_to_arrays, toy_fraud_records

    users = FRAUD_USERS[scale]
    with Stopwatch() as building:
        nodes, rels = toy_fraud_records(users=users, rings=max(10, users // 100), seed=7)
        data = property_data(records_to_arrays(nodes, rels, FRAUD_NODE_PROPERTIES))
        split = node_split(data, FRAUD_SPEC)
        view = build_view(data, FRAUD_SPEC)
    build_s = building.seconds
    dev = pick_device(None if device == "auto" else device)
    layers = 1 if model_name == "gnn-1-layer" else 2
    settings = TrainConfig(num_layers=layers)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    res = fit(view, split.test, FRAUD_SPEC, settings, dev, 7, epochs=epochs)
    return {
        "seconds_per_epoch": res.seconds_per_epoch,
        "build_s": round(build_s, 2),
        "interactions": int(data["Order"].num_nodes),
        "params": sum(p.numel() for p in res.model.parameters()),
        "cuda_peak_mb": round(torch.cuda.max_memory_allocated(dev) / 2**20, 1)
        if dev.type == "cuda"
        else None,
        "device": str(dev),
    }


def child(task: str, scale: str, model: str, epochs: int, device: str) -> None:
    """One measurement; prints a JSON line with the process's peak RSS."""
    measure = {"recommend": measure_recommend, "fraud": measure_fraud}.get(task)
    if measure is None:
        raise SystemExit(f"unknown task {task}")
    out = measure(scale, model, epochs, device)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


def run(scales: list[str], epochs: int, device: str, timeout: int) -> list[dict[str, Any]]:
    rows = []
    jobs = [("recommend", m) for m in RECOMMEND_MODELS] + [("fraud", m) for m in FRAUD_MODELS]
    for scale in scales:
        for task, model in jobs:
            cmd = [
                sys.executable,
                __file__,
                "--child",
                f"{task}:{scale}:{model}",
                "--epochs",
                str(epochs),
                "--device",
                device,
            ]
            try:
                proc = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=timeout, check=False
                )
                line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
                res = (
                    json.loads(line)
                    if proc.returncode == 0 and line
                    else {
                        "error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"
                    }
                )
            except subprocess.TimeoutExpired:
                res = {"error": f"over {timeout} s"}
            rows.append({"task": task, "scale": scale, "model": model, **res})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown: s/epoch, its ratio to the task's baseline at the same scale, peak memory."""
    base = {
        (r["task"], r["scale"]): r.get("seconds_per_epoch") for r in rows if r["model"] in BASELINES
    }
    lines = [
        "| task | scale | model | s/epoch | ratio to baseline | peak RSS MB | CUDA peak MB | "
        "purchases / orders |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        spe, b = r.get("seconds_per_epoch"), base.get((r["task"], r["scale"]))
        ratio = f"{spe / b:.2f}" if spe and b else "-"
        lines.append(
            f"| {r['task']} | {r['scale']} | {r['model']} | "
            f"{spe if spe is not None else r.get('error', '-')} | {ratio} | "
            f"{r.get('peak_rss_mb', '-')} | {r.get('cuda_peak_mb') or '-'} | "
            f"{r.get('interactions', '-')} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="small,medium")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per measurement")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        task, scale, model = args.child.split(":")
        child(task, scale, model, args.epochs, args.device)
        return
    rows = run(args.scales.split(","), args.epochs, args.device, args.timeout)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "train.json").write_text(json.dumps(rows, indent=2))
    print(table(rows))


if __name__ == "__main__":
    main()
