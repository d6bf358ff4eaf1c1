"""Online vs batch order risk on a graph and a fraud artefact (read-only on the graph).

    CARTOGRAPH_NEO4J_URI=bolt://127.0.0.1:7687 CARTOGRAPH_NEO4J_PASSWORD=... \\
    CARTOGRAPH_TRAIN_MODELS_DIR=var/models-h5 \\
    .venv/bin/python -m bench.online_agreement --orders 300

Samples stored orders (seed 7; every chargeback among them kept), re-scores each through the
online path as of its own time and compares with the artefact's batch score. Writes
``bench/out/online_agreement.json``; docs/serving.md records the numbers.
"""

from __future__ import annotations

import argparse
import json
import random

from api.live import load_latest
from api.models import LiveProvider
from bench.agreement import measure
from bench.common import OUT_DIR, Stopwatch, command_line
from cartograph.runtime import resolve_target
from cartograph.settings import Settings
from graph.connection import open_driver


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--orders", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    settings = Settings()
    fraud = load_latest(settings.train.models_dir, "fraud")
    assert fraud is not None, f"no fraud model under {settings.train.models_dir}"
    target = resolve_target(settings, start=False)
    with open_driver(target) as driver:
        provider = LiveProvider(driver, settings.neo4j.database, 30.0, None, fraud, None)
        keys = fraud.keys["Order"]
        orders = random.Random(args.seed).sample(keys, min(args.orders, len(keys)))
        with Stopwatch() as watch:
            result = measure(provider, orders)
        seconds = watch.seconds
    out = {
        "command": command_line(), "model": fraud.version, "seed": args.seed,
        "orders": result.orders, "pearson": round(result.pearson, 4),
        "spearman": round(result.spearman, 4), "mean_abs_diff": round(result.mean_abs_diff, 4),
        "ms_per_order": round(1000 * seconds / max(result.orders, 1), 1),
        "feature_mismatch_share": {k: round(v, 3) for k, v in sorted(
            result.feature_mismatch.items(), key=lambda kv: -kv[1])},
    }  # fmt: skip
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "online_agreement.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
