"""End-to-end ingestion throughput on the built-in marketplace, stage by stage.

Baseline, in the same run: reading every raw file with the same readers but no cleaning,
pseudonymising or mapping (``read only``). Each later stage is reported with its records/s (or
documents/s for text extraction), its share of the total, and its cost relative to the read-only
pass. Usage::

    .venv/bin/python bench/pipeline.py --scale medium --seed 7
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    OUT_DIR,
    ROOT,
    Stopwatch,
    bench_server,
    bench_server_config,
    reset_database,
)
from cartograph.pipeline import default_enrichers, ensure_marketplace, load_records
from extraction.ingest import ingest
from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.sources import read_rows

MAPPING = ROOT / "extraction" / "mappings" / "marketplace.yaml"


def read_only(data_dir: Path) -> tuple[int, float]:
    """Rows in every source, parsed but not cleaned: the floor any ingestion pays."""
    mapping = load_mapping(MAPPING, data_dir)
    with Stopwatch() as watch:
        rows = sum(
            1 for s in mapping.sources.values() for _ in read_rows(s.path, s.resolved_format)
        )
    return rows, watch.seconds


def run(scale: str, seed: int) -> dict[str, Any]:
    data_dir = ensure_marketplace(ROOT / "var" / "data", scale, seed)
    rows, read_s = read_only(data_dir)
    enrichers = default_enrichers(data_dir, seed)
    result = ingest(
        load_mapping(MAPPING, data_dir),
        Pseudonymiser(b"bench" * 8),
        OUT_DIR / f"pipeline-rejects-{scale}.csv",
        enrichers,
    )
    cfg = replace(
        bench_server_config(),
        home=ROOT / "var" / "neo4j-bench-pipeline",
        bolt_port=7691,
        http_port=7478,
    )
    with bench_server(cfg) as driver:
        reset_database(driver)
        with Stopwatch() as loading:
            counts = load_records(driver, "neo4j", result.nodes, result.rels, show_progress=False)
        load_s = loading.seconds
    docs = result.enrichment["text_extraction"]["documents"]
    accounts = sum(1 for n in result.nodes if n.label in ("User", "Product"))
    stages = [
        ("read only (baseline)", rows, "records", read_s),
        (
            "read + clean + pseudonymise + map",
            rows,
            "records",
            result.timings["read_clean_pseudonymise_s"],
        ),
        ("text extraction", docs, "documents", result.timings["text_extraction_s"]),
        ("entity resolution", accounts, "accounts+listings", result.timings["entity_resolution_s"]),
        (
            "dedupe records",
            len(result.nodes) + len(result.rels),
            "records",
            result.timings["dedupe_s"],
        ),
        ("load into Neo4j", counts.node_rows + counts.rel_rows, "graph rows", load_s),
    ]
    return {
        "scale": scale,
        "seed": seed,
        "rows": rows,
        "stages": stages,
        "totals": result.totals.as_dict(),
        "command": " ".join(sys.argv),
    }


def print_table(res: dict[str, Any]) -> None:
    stages = res["stages"]
    base_rate = stages[0][1] / stages[0][3]
    total = sum(s[3] for s in stages[1:])
    print(
        f"\nscale={res['scale']} seed={res['seed']}: {res['rows']:,} raw records; "
        f"end to end {res['rows'] / total:,.0f} records/s ({total:.1f} s without the baseline)"
    )
    print(
        f"{'stage':36} {'items':>10} {'unit':>10} {'seconds':>8} {'items/s':>10} "
        f"{'share':>6} {'x baseline time':>15}"
    )
    for name, n, unit, secs in stages:
        share = "-" if name.startswith("read only") else f"{secs / total:.0%}"
        print(
            f"{name:36} {n:>10,} {unit:>10} {secs:>8.1f} {n / secs:>10,.0f} {share:>6} "
            f"{secs / stages[0][3]:>15.1f}"
        )
    print(f"(baseline read-only rate: {base_rate:,.0f} records/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    res = run(args.scale, args.seed)
    print_table(res)
    (OUT_DIR / f"pipeline-{args.scale}.json").write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
