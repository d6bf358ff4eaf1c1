"""End-to-end ingestion on the built-in marketplace, stage by stage and scale by scale.

Per stage: items, seconds, items/s and peak resident memory (the stage's own high-water mark:
``/proc/self/clear_refs`` resets it before each stage). Side by side in the same run:

* ``read only``: every raw file read with the same readers, nothing cleaned (the floor);
* ``clean (per record)``: the reference path (``ingest(columnar=False)``) in a child process of
  its own, so its time and peak memory are not mixed with the main run's; its records are
  checked equal (a digest of the merged nodes and relationships) to the columnar path's;
* ``clean (columnar)``: what ingestion runs, followed by the enrichment stages, dedupe and the
  load into a bench Neo4j of its own.

Several scales in one invocation print a growth table: seconds per raw record at each scale
against the previous one. Usage::

    .venv/bin/python bench/pipeline.py --scales small medium --seed 7
    .venv/bin/python bench/pipeline.py --scales large --skip text er load --no-per-record
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import multiprocessing
import resource
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable from the repo root
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
from cartograph.pipeline import (
    default_enrichers,
    ensure_marketplace,
    load_records,
    write_records,
)
from extraction.columnar import extract_columnar
from extraction.ingest import Beside, beside_cleaning, dedupe_records, ingest
from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.redact import Redactor
from extraction.rejects import RejectsWriter
from extraction.sources import read_rows
from graph.connection import Neo4jTarget
from graph.records import NodeRecord, RelRecord

MAPPING = ROOT / "extraction" / "mappings" / "marketplace.yaml"
SECRET = b"bench" * 8
GIB = 2**30


def reset_peak() -> None:
    """Start a new high-water mark of resident memory (Linux: ``echo 5 > clear_refs``)."""
    # Without it the mark runs from process start: an upper bound, still true.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_gib() -> float:
    """The resident high-water mark since the last ``reset_peak`` (``VmHWM``), in GiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) * 1024 / GIB, 2)
    return float("nan")


def digest(nodes: list[NodeRecord], rels: list[RelRecord]) -> str:
    """One hash of every merged record, in order: equal digests, equal graphs."""
    h = hashlib.blake2b(digest_size=16)
    for record in [*nodes, *rels]:
        h.update(repr(record).encode("utf-8", "backslashreplace"))
    return h.hexdigest()


def read_only(data_dir: Path) -> tuple[int, float, float]:
    """Rows in every source, parsed but not cleaned: the floor any ingestion pays."""
    mapping = load_mapping(MAPPING, data_dir)
    reset_peak()
    with Stopwatch() as watch:
        rows = sum(
            1 for s in mapping.sources.values() for _ in read_rows(s.path, s.resolved_format)
        )
    return rows, watch.seconds, peak_rss_gib()


def per_record(data_dir: str, rejects: str) -> dict[str, Any]:
    """The reference cleaning path, run in a fresh child process (see ``main``)."""
    Path(rejects).unlink(missing_ok=True)
    reset_peak()
    result = ingest(
        load_mapping(MAPPING, Path(data_dir)), Pseudonymiser(SECRET), Path(rejects), columnar=False
    )
    return {
        "seconds": result.timings["read_clean_pseudonymise_s"],
        "peak_rss_gib": peak_rss_gib(),
        "digest": digest(result.nodes, result.rels),
        "totals": result.totals.as_dict(),
    }


def _stage(stages: list[dict[str, Any]], name: str, items: int, unit: str, secs: float) -> None:
    stages.append(
        {"stage": name, "items": items, "unit": unit, "seconds": round(secs, 2),
         "peak_rss_gib": peak_rss_gib()}
    )  # fmt: skip
    reset_peak()


LOAD_STAGES = {"writer": "load into Neo4j (writer)", "bulk": "load into Neo4j (bulk import)"}


def run(
    scale: str,
    seed: int,
    skip: set[str],
    with_per_record: bool,
    ports: tuple[int, int],
    loads: Sequence[str] = ("writer",),
    beside: str = "auto",
) -> dict[str, Any]:
    data_dir = ensure_marketplace(ROOT / "var" / "data", scale, seed)
    stages: list[dict[str, Any]] = []
    rows, read_s, read_peak = read_only(data_dir)
    stages.append({"stage": "read only (baseline)", "items": rows, "unit": "records",
                   "seconds": round(read_s, 2), "peak_rss_gib": read_peak})  # fmt: skip
    reference = None
    if with_per_record:
        spawn = multiprocessing.get_context("spawn")
        with spawn.Pool(1) as pool:
            args = (str(data_dir), str(OUT_DIR / f"pipeline-rejects-{scale}-rows.csv"))
            reference = pool.apply(per_record, args)
        stages.append({"stage": "clean + pseudonymise + map (per record)", "items": rows,
                       "unit": "records", "seconds": reference["seconds"],
                       "peak_rss_gib": reference["peak_rss_gib"]})  # fmt: skip
    mapping = load_mapping(MAPPING, data_dir)
    pseudonymiser = Pseudonymiser(SECRET)
    rejects_path = OUT_DIR / f"pipeline-rejects-{scale}.csv"
    rejects_path.unlink(missing_ok=True)
    reset_peak()
    redactor = Redactor.from_mapping(mapping, pseudonymiser)
    enrichers = default_enrichers(data_dir, seed)
    # what `ingest` does: text extraction (it reads the raw texts, not the records) in a
    # process of its own while the rows are cleaned, when the input is large enough
    choice = {"auto": None, "on": True, "off": False}[beside]
    alone = {} if "text" in skip else {"text_extraction": enrichers["text_extraction"]}
    ahead = beside_cleaning(alone, mapping, choice)
    with Beside(ahead) as pending:
        with Stopwatch() as watch, RejectsWriter(rejects_path, redactor) as rj:
            extracted = extract_columnar(mapping, pseudonymiser, rj)
        _stage(stages, "clean + pseudonymise + map (columnar)", rows, "records", watch.seconds)
        same = None
        if reference is not None:
            mine = digest(*dedupe_records(extracted.nodes, extracted.rels))
            same = mine == reference["digest"]
            reset_peak()
        for key, name in (("text", "text_extraction"), ("er", "entity_resolution")):
            if key in skip:
                continue
            # distinct accounts and listings (the text stage adds a Product record per title)
            accounts = len({(n.label, n.key) for n in extracted.nodes
                            if n.label in ("User", "Product")})  # fmt: skip
            own = None
            with Stopwatch() as watch:
                if name in ahead:
                    nodes, rels, summary, own = pending.result(name)
                else:
                    nodes, rels, summary = enrichers[name](extracted)
                extracted.nodes.extend(nodes)
                extracted.rels.extend(rels)
            if key == "text":
                label = "text extraction" + (" (beside cleaning: wait)" if own else "")
                _stage(stages, label, summary["documents"] or 0, "documents", watch.seconds)
                stages[-1]["own_seconds"] = own if own is not None else round(watch.seconds, 2)
            else:
                _stage(stages, "entity resolution", accounts, "accounts+listings", watch.seconds)
    # as ingest: the writer gets deduplicated records; the bulk import alone takes them as they
    # are (its planner merges by key), so a bulk-only run has no dedupe stage
    deduplicated = "load" in skip or "writer" in loads
    nodes_m, rels_m = extracted.nodes, extracted.rels
    del extracted
    if deduplicated:
        with Stopwatch() as watch:
            nodes_m, rels_m = dedupe_records(nodes_m, rels_m)
        _stage(stages, "dedupe records", len(nodes_m) + len(rels_m), "records", watch.seconds)
    bulk_steps: dict[str, float] = {}
    if "load" not in skip:
        cfg = replace(
            bench_server_config(),
            home=ROOT / "var" / "neo4j-bench-pipeline",
            bolt_port=ports[0],
            http_port=ports[1],
        )
        with bench_server(cfg) as driver:
            for path in loads:
                reset_database(driver)  # untimed; bulk needs the database empty
                reset_peak()
                with Stopwatch() as watch:
                    if path == "writer":
                        counts = load_records(driver, "neo4j", nodes_m, rels_m,
                                              show_progress=False)  # fmt: skip
                    else:  # what ingest takes into an empty managed database
                        password = cfg.password_file.read_text().strip()
                        target = Neo4jTarget(uri=cfg.bolt_uri, user="neo4j", password=password)
                        counts = write_records(target, nodes_m, rels_m, "bulk", cfg,
                                               show_progress=False,
                                               deduplicated=deduplicated)  # fmt: skip
                        bulk_steps = counts.steps_s
                _stage(stages, LOAD_STAGES[path], counts.node_rows + counts.rel_rows,
                       "graph rows", watch.seconds)  # fmt: skip
    return {
        "scale": scale,
        "seed": seed,
        "rows": rows,
        "stages": stages,
        "skipped": sorted(skip),
        "loads": list(loads) if "load" not in skip else [],
        "beside": beside,
        "same_records_as_per_record": same,
        "bulk_steps_s": bulk_steps,
        # largest waited-for child: the import JVM, the per-record child or a reaped server
        "child_peak_rss_gib": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / GIB, 2
        )
        if "bulk" in loads
        else None,
        "per_record_totals": reference["totals"] if reference else None,
        "machine": Machine.here().as_dict(),
    }


def _end_to_end(res: dict[str, Any], load: str | None = None) -> float:
    """Seconds of the stages ingestion runs (not the baseline, not the per-record reference),
    with one load path: ``load`` (a ``LOAD_STAGES`` key) or the first one the run measured."""
    loads = [s for s in res["stages"] if s["stage"] in LOAD_STAGES.values()]
    chosen = [s for s in loads if load is None or s["stage"] == LOAD_STAGES[load]][:1]
    rest = [s for s in res["stages"] if "baseline" not in s["stage"]
            and "per record" not in s["stage"] and s not in loads]  # fmt: skip
    return sum(s["seconds"] for s in rest + chosen)


def print_table(res: dict[str, Any]) -> None:
    total = _end_to_end(res)
    stages = res["stages"]
    print(
        f"\nscale={res['scale']} seed={res['seed']}: {res['rows']:,} raw records; end to end "
        f"{res['rows'] / total:,.0f} raw records/s ({total:.1f} s; skipped: "
        f"{', '.join(res['skipped']) or 'nothing'}); load avg {res['machine']['load_avg_1m']}"
    )
    print(f"{'stage':42} {'items':>10} {'unit':>17} {'seconds':>8} {'items/s':>10} "
          f"{'s/1M raw':>9} {'peak RSS':>9}")  # fmt: skip
    for s in stages:
        per_m = s["seconds"] / res["rows"] * 1e6
        rate = s["items"] / max(s.get("own_seconds", s["seconds"]), 1e-9)  # its own work
        print(f"{s['stage']:42} {s['items']:>10,} {s['unit']:>17} {s['seconds']:>8.1f} "
              f"{rate:>10,.0f} {per_m:>9.1f} {s['peak_rss_gib']:>7.2f} G")  # fmt: skip
        if "own_seconds" in s and s["own_seconds"] != round(s["seconds"], 2):
            print(f"{'  (its own work, beside the cleaning)':42} {'':>10} {'':>17} "
                  f"{s['own_seconds']:>8.1f}")  # fmt: skip
    for path, name in LOAD_STAGES.items():
        if len(res.get("loads", [])) > 1 and any(s["stage"] == name for s in stages):
            secs = _end_to_end(res, path)
            print(f"end to end with the {path} load: {res['rows'] / secs:,.0f} raw records/s "
                  f"({secs:.1f} s)")  # fmt: skip
    if res.get("bulk_steps_s"):
        print(f"bulk import steps (s): {res['bulk_steps_s']}; largest child peak RSS "
              f"{res['child_peak_rss_gib']} G")  # fmt: skip
    old = next((s for s in stages if "per record" in s["stage"]), None)
    new = next(s for s in stages if "columnar" in s["stage"])
    if old:
        print(f"columnar vs per-record cleaning: {old['seconds'] / new['seconds']:.2f}x faster; "
              f"same records: {res['same_records_as_per_record']}")  # fmt: skip


def print_growth(results: list[dict[str, Any]]) -> None:
    """Seconds per raw record of each stage, each scale against the one before it."""
    print("\ngrowth: seconds per raw record, this run / the run before it")
    for prev, cur in itertools.pairwise(results):
        if len({r.get("beside") for r in results}) > 1:  # several choices: name them
            prev, cur = (dict(r, scale=f"{r['scale']}(beside {r['beside']})") for r in (prev, cur))
        by_stage = {s["stage"]: s for s in prev["stages"]}
        for s in cur["stages"]:
            p = by_stage.get(s["stage"])
            if p:
                ratio = (s["seconds"] / cur["rows"]) / (p["seconds"] / prev["rows"])
                print(f"  {prev['scale']}->{cur['scale']} {s['stage']:42} {ratio:5.2f}x")
        ratio = (_end_to_end(cur) / cur["rows"]) / (_end_to_end(prev) / prev["rows"])
        print(f"  {prev['scale']}->{cur['scale']} {'end to end':42} {ratio:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", nargs="+", default=["medium"],
                        choices=["small", "medium", "large"])  # fmt: skip
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip", nargs="*", default=[], choices=["text", "er", "load"])
    parser.add_argument("--no-per-record", action="store_true",
                        help="skip the per-record reference cleaning (slow at large)")  # fmt: skip
    parser.add_argument("--load", nargs="+", default=["writer"], choices=list(LOAD_STAGES),
                        help="load paths, one after the other into an emptied database; end to "
                        "end counts the first (default: writer)")  # fmt: skip
    parser.add_argument("--beside", nargs="+", default=["auto"], choices=["auto", "on", "off"],
                        help="text extraction beside the cleaning (auto: as ingest decides); "
                        "several: each scale once per choice, side by side")  # fmt: skip
    parser.add_argument("--bolt-port", type=int, default=7691)
    parser.add_argument("--http-port", type=int, default=7478)
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    results = []
    for scale, beside in itertools.product(args.scales, args.beside):
        res = run(scale, args.seed, set(args.skip), not args.no_per_record,
                  (args.bolt_port, args.http_port), args.load, beside)  # fmt: skip
        res["command"] = command_line()
        print_table(res)
        suffix = "" if len(args.beside) == 1 else f"-beside-{beside}"
        (OUT_DIR / f"pipeline-{scale}{suffix}.json").write_text(json.dumps(res, indent=2))
        results.append(res)
    if len(results) > 1:
        print_growth(results)


if __name__ == "__main__":
    main()
