"""Command line: ``python -m testbeds.marketplace --scale small --seed 7 --out var/data``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .config import SCALES
from .generate import FRAUD_KINDS, generate


def main(argv: list[str] | None = None) -> int:
    """Generate one dataset and print the per-file row counts."""
    parser = argparse.ArgumentParser(prog="python -m testbeds.marketplace")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--fraud", choices=FRAUD_KINDS, default="plain")
    args = parser.parse_args(argv)
    summary = generate(args.scale, args.seed, args.out, args.fraud)
    for rel, n in summary.record_counts.items():
        print(f"{n:>10}  {rel}")
    print(f"orders: {dict(summary.orders)}  elapsed: {summary.elapsed_s:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
