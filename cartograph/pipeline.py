"""The main job, end to end: built-in data → ingestion → Neo4j → report.

Each step is a plain function of explicit arguments so the CLI, tests and benchmarks call the
same code.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from cartograph.report import new_run_dir, versions, write_report
from cartograph.report_md import render_markdown
from cartograph.report_tasks import task_markdown, task_plots
from cartograph.settings import PROJECT_ROOT, Settings
from extraction.enrich import entity_resolution, text_extraction
from extraction.evaluate import evaluate_extraction
from extraction.ingest import Enricher, IngestResult, dedupe_records, ingest
from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser
from gnn.tasks import load_task
from gnn.tasks.runner import resolve_device, score_task, train_task
from graph.bulk import BulkUnsupported, bulk_load, choose_write_mode, plan_import
from graph.connection import Driver, Neo4jTarget, count_by_label, count_by_type, open_driver
from graph.records import NodeRecord, RelRecord
from graph.server import ServerConfig
from graph.writer import GraphWriter, WriteCounts, apply_schema, clear_database
from testbeds.marketplace import MANIFEST, generate

FIRST_QUERY = (
    "MATCH (u:User)-[:USED_CARD]->(c:Card)<-[:USED_CARD]-(v:User) WHERE u.key < v.key "
    "WITH c, collect(DISTINCT u) + collect(DISTINCT v) AS users WHERE size(users) >= 3 "
    "MATCH p = (x:User)-[:USED_CARD]->(c) RETURN p LIMIT 100"
)


DEMO_TASKS = ("recommend", "fraud")
# Past `small` the demo trains the way the real-size link work measured it
# (bench/recsys_scale.py, BENCHMARKS.md "Recommendations at real size"): a wall-clock budget per
# fit (the best evaluation so far is kept when it runs out), batches of 8,192, early stopping on
# 2,000 sampled valid users every 2 epochs; the fraud study's neural fits get a budget too (its
# full-batch epochs grow with the orders). Without them one `demo --scale medium` spends hours in
# the presets' 400-epoch, patience-25 fits. `small` keeps the presets' full training: its report
# is the reference the tests check (the best GNN above the best baseline).
SCALE_TRAINING: dict[str, dict[str, dict[str, Any]]] = {
    scale: {
        "recommend": {
            "time_budget_s": budget,
            "batch_size": 8192,
            "eval_users": 2000,
            "eval_every": 2,
            "patience": 5,
            "min_epochs": 10,
        },
        "fraud": {"time_budget_s": budget},
    }
    for scale, budget in (("medium", 60.0), ("large", 90.0))
}


def scale_overrides(scale: str) -> dict[str, dict[str, Any]]:
    """The demo's per-task overrides at ``scale`` (none at ``small``)."""
    return {task: {"train": dict(train)} for task, train in SCALE_TRAINING.get(scale, {}).items()}


MARKETPLACE_MAPPING = (PROJECT_ROOT / "extraction" / "mappings" / "marketplace.yaml").resolve()


def run_task(
    target: Neo4jTarget,
    task: str,
    seed: int,
    models_dir: Path,
    device: str = "auto",
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train a task (preset name or spec file), save its model, write its scores back."""
    spec = load_task(task)
    with open_driver(target) as driver:
        run = train_task(
            driver,
            target.database,
            spec,
            spec.seed if spec.seed is not None else seed,
            resolve_device(device),
            models_dir,
            **(overrides or {}),
        )
        assert run.model_dir is not None
        scored = score_task(driver, target.database, run.model_dir)
    run.report["score"] = scored.as_dict()
    run.report["seconds"] = run.seconds
    return run.report


@dataclass
class RunResult:
    run_dir: Path
    report: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


def ensure_marketplace(data_root: Path, scale: str, seed: int, fraud: str = "plain") -> Path:
    """Generate the built-in data once per (scale, seed, fraud); reuse it while its manifest
    exists."""
    suffix = "" if fraud == "plain" else f"-{fraud}"
    out = data_root / f"marketplace-{scale}-seed{seed}{suffix}"
    if not (out / MANIFEST).exists():
        generate(scale, seed, out, fraud)
    return out


def default_enrichers(
    data_dir: Path, seed: int, er_thresholds: tuple[float, float] = (0.6, 0.4)
) -> dict[str, Enricher]:
    """The enrichment stages the built-in data runs through, in order."""
    return {
        "text_extraction": text_extraction(data_dir, seed),
        "entity_resolution": entity_resolution(*er_thresholds),
    }


def load_records(
    driver: Driver,
    database: str,
    nodes: list[NodeRecord],
    rels: list[RelRecord],
    batch_size: int = 10_000,
    show_progress: bool = True,
    marketplace_schema: bool = True,
) -> WriteCounts:
    """Schema first, then nodes, then relationships (which MATCH their endpoints by key).

    The marketplace's constraints and indexes (``cypher/schema``) go only into a graph loaded
    with the marketplace mapping; any other graph gets just a key constraint per label it
    holds, made by the writer as each label first appears."""
    if marketplace_schema:
        apply_schema(driver, database)
    writer = GraphWriter(driver, database, batch_size)
    quiet = None if show_progress else True  # None: tqdm shows bars only on a terminal
    with tqdm(total=len(nodes), desc="nodes", unit="row", disable=quiet) as bar:
        counts = writer.write_nodes(nodes, progress=bar.update)
    with tqdm(total=len(rels), desc="relationships", unit="row", disable=not show_progress) as bar:
        counts.add(writer.write_relationships(rels, progress=bar.update))
    return counts


def write_records(
    target: Neo4jTarget,
    nodes: list[NodeRecord],
    rels: list[RelRecord],
    write_mode: str = "auto",
    server: ServerConfig | None = None,
    batch_size: int = 10_000,
    show_progress: bool = True,
    marketplace_schema: bool = True,
    deduplicated: bool = True,
) -> WriteCounts:
    """The records into Neo4j by one of two paths that build the same graph
    (tests/integration/test_bulk.py): ``neo4j-admin database import`` into the empty managed
    database (``server`` given), or the batched MERGE writer. ``auto`` takes the import when it
    can, and the writer when a record has no exact import form (``bulk`` says so: E315).
    ``deduplicated=False``: the records may repeat a key; the import's planner merges them, and
    the writer path folds them first (``dedupe_records``)."""
    mode, _ = choose_write_mode(write_mode, target, server)
    if mode == "bulk" and server is not None:
        t0 = time.perf_counter()
        try:
            plan = plan_import(nodes, rels)
        except BulkUnsupported:
            if write_mode == "bulk":
                raise
        else:
            plan_s = round(time.perf_counter() - t0, 3)
            counts = bulk_load(server, target, nodes, rels, plan)
            counts.steps_s = {"plan_s": plan_s, **counts.steps_s}
            if marketplace_schema:
                t0 = time.perf_counter()
                with open_driver(target) as driver:
                    apply_schema(driver, target.database)
                counts.steps_s["marketplace_schema_s"] = round(time.perf_counter() - t0, 3)
            return counts
    if not deduplicated:
        nodes, rels = dedupe_records(nodes, rels)
    with open_driver(target) as driver:
        return load_records(
            driver,
            target.database,
            nodes,
            rels,
            batch_size,
            show_progress,
            marketplace_schema=marketplace_schema,
        )


def run_ingest(
    target: Neo4jTarget,
    data_dir: Path,
    mapping_path: Path,
    pseudonymiser: Pseudonymiser,
    run_dir: Path,
    batch_size: int = 10_000,
    enrichers: dict[str, Enricher] | None = None,
    show_progress: bool = True,
    max_reject_share: float = 0.5,
    write_mode: str = "auto",
    server: ServerConfig | None = None,
) -> tuple[IngestResult, WriteCounts, float]:
    """Read → clean → pseudonymise → enrich → load; rejects go to ``run_dir/rejects.csv``.
    Over ``max_reject_share`` rejected, nothing is loaded (``TooManyRejectsError``, exit 1).
    ``server`` is the managed server's config when ``target`` is it: only then can ``auto``
    (or ``bulk``) import into an empty database instead of writing batches."""
    mapping = load_mapping(mapping_path, data_dir)
    mode, _ = choose_write_mode(write_mode, target, server)  # an impossible mode fails first
    result = ingest(
        mapping,
        pseudonymiser,
        run_dir / "rejects.csv",
        enrichers,
        max_reject_share,
        dedupe=mode != "bulk",  # the import's planner merges repeats itself
    )
    t0 = time.perf_counter()
    marketplace = mapping_path.resolve() == MARKETPLACE_MAPPING
    counts = write_records(
        target,
        result.nodes,
        result.rels,
        write_mode,
        server,
        batch_size,
        show_progress,
        marketplace_schema=marketplace,
        deduplicated=result.deduplicated,
    )
    return result, counts, round(time.perf_counter() - t0, 3)


def ingest_summary(result: IngestResult, counts: WriteCounts, load_s: float) -> dict[str, Any]:
    """The ``ingestion`` part of a report: per-source reconciliation, rejects, load counts."""
    totals = result.totals
    return {
        "sources": {name: c.as_dict() for name, c in result.counts.items()},
        "totals": totals.as_dict(),
        "reconciles": all(c.reconciles() for c in result.counts.values()),
        "field_issues": result.field_issues,
        "rejects_file": str(result.rejects_path),
        # as handed to the load: distinct keys, or (bulk) every record, repeats included
        "records": {
            "nodes": len(result.nodes),
            "relationships": len(result.rels),
            "deduplicated": result.deduplicated,
        },
        "load": counts.as_dict(),
        "enrichment": result.enrichment,
        "timings": {**result.timings, "load_s": load_s},
    }


@dataclass(frozen=True)
class DemoConfig:
    """Everything a demo run needs besides its Neo4j: built from the settings by the CLI
    (``from_settings``) and spelt out by tests and benchmarks."""

    runs_dir: Path
    data_root: Path
    mapping: Path
    pseudonymiser: Pseudonymiser
    scale: str = "small"
    seed: int = 7
    fraud: str = "plain"
    batch_size: int = 10_000
    er_thresholds: tuple[float, float] = (0.6, 0.4)
    tasks: tuple[str, ...] = DEMO_TASKS
    models_dir: Path | None = None  # None: under the run directory
    device: str = "auto"
    task_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    show_progress: bool = True
    write_mode: str = "auto"
    server: ServerConfig | None = None  # the managed server's config: lets auto bulk-import

    @classmethod
    def from_settings(cls, settings: Settings, pseudonymiser: Pseudonymiser) -> DemoConfig:
        return cls(
            runs_dir=settings.runs_dir,
            data_root=settings.data_dir,
            mapping=settings.ingest.mapping,
            pseudonymiser=pseudonymiser,
            scale=settings.scale,
            seed=settings.seed,
            fraud=settings.fraud,
            batch_size=settings.ingest.batch_size,
            er_thresholds=(settings.ingest.er_user_threshold, settings.ingest.er_product_threshold),
            models_dir=settings.train.models_dir,
            device=settings.train.device,
            write_mode=settings.ingest.write_mode,
            task_overrides=scale_overrides(settings.scale),
        )


def run_demo(target: Neo4jTarget, cfg: DemoConfig, browser_url: str | None = None) -> RunResult:
    """Built-in marketplace → graph, and ``runs/<ts>/report.{json,md}``.

    On the managed server the demo graph is rebuilt from empty, so the report describes exactly
    the built-in data; on a user's own Neo4j nothing is deleted (loads only MERGE). Then each
    task in ``cfg.tasks`` is trained (every model side by side, the one chosen on valid saved
    under ``cfg.models_dir``) and its scores written back to the graph."""
    timings: dict[str, float] = {}
    run_dir = new_run_dir(cfg.runs_dir)
    if target.managed:
        with open_driver(target) as driver:
            clear_database(driver, target.database)
    t0 = time.perf_counter()
    data_dir = ensure_marketplace(cfg.data_root, cfg.scale, cfg.seed, cfg.fraud)
    timings["generate_s"] = round(time.perf_counter() - t0, 3)
    enrichers = default_enrichers(data_dir, cfg.seed, cfg.er_thresholds)
    result, counts, load_s = run_ingest(
        target,
        data_dir,
        cfg.mapping,
        cfg.pseudonymiser,
        run_dir,
        cfg.batch_size,
        enrichers,
        cfg.show_progress,
        write_mode=cfg.write_mode,
        server=cfg.server if target.managed else None,
    )
    timings.update(result.timings, load_s=load_s)
    ingestion = ingest_summary(result, counts, load_s)
    del result  # the records (gigabytes at `large`) are in Neo4j now; training reads them there
    with open_driver(target) as driver:
        nodes, rels = (
            count_by_label(driver, target.database),
            count_by_type(driver, target.database),
        )
        t0 = time.perf_counter()
        extraction = evaluate_extraction(driver, data_dir, target.database)
        timings["evaluate_extraction_s"] = round(time.perf_counter() - t0, 3)
    manifest = json.loads((data_dir / MANIFEST).read_text())
    report = {
        "seed": cfg.seed,
        "data": {
            "name": "marketplace",
            "scale": cfg.scale,
            "dir": str(data_dir),
            "generator": manifest.get("generator_version"),
        },
        "neo4j": {
            "uri": target.uri,
            "database": target.database,
            "managed": target.managed,
            "browser": browser_url,
        },
        "ingestion": ingestion,
        "counts": {"nodes": nodes, "relationships": rels},
        "extraction": extraction,
        "timings": timings,
        "versions": versions(),
        # what the tasks were trained with beyond their presets (the scale's budgets, a test's)
        "task_overrides": json.loads(json.dumps(cfg.task_overrides, default=str)),
    }
    sections = []
    overrides = {name: dict(v) for name, v in cfg.task_overrides.items()}
    # The fraud study also scores account links against the generator's truth (evaluation only).
    overrides.setdefault("fraud", {}).setdefault("truth_dir", data_dir / "truth")
    for name in cfg.tasks:
        t0 = time.perf_counter()
        entry = run_task(
            target,
            name,
            cfg.seed,
            cfg.models_dir or run_dir / "models",
            cfg.device,
            overrides.get(name, {}),
        )
        timings[f"task_{name}_s"] = round(time.perf_counter() - t0, 3)
        report[name] = entry
        sections.append(task_markdown(name, entry, task_plots(name, entry, run_dir)))
    write_report(run_dir, report, render_markdown(report, FIRST_QUERY, tuple(sections)))
    return RunResult(run_dir=run_dir, report=report, timings=timings)


def run_movielens(
    target: Neo4jTarget,
    runs_dir: Path,
    data_root: Path,
    pseudonymiser: Pseudonymiser,
    seed: int,
    models_dir: Path,
    device: str = "auto",
    max_ratings: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> RunResult:
    """MovieLens-100k (from the RecBole wheel) through its mapping file into Neo4j, then every
    recommendation model on it (the ``movielens`` task preset), saved and scored like the
    marketplace's: the same code path a user's own graph takes."""
    from testbeds.movielens import MAPPING, prepare_movielens

    timings: dict[str, float] = {}
    run_dir = new_run_dir(runs_dir)
    t0 = time.perf_counter()
    src = prepare_movielens(data_root, data_root.parent / "cache" / "wheels", max_ratings)
    timings["prepare_s"] = round(time.perf_counter() - t0, 3)
    result, counts, load_s = run_ingest(
        target, src, MAPPING, pseudonymiser, run_dir, show_progress=False
    )
    timings["load_s"] = load_s
    t0 = time.perf_counter()
    entry = run_task(target, "movielens", seed, models_dir, device, overrides)
    timings["task_movielens_s"] = round(time.perf_counter() - t0, 3)
    report = {
        "seed": seed,
        "data": {"name": "movielens-100k", "dir": str(src), "source": "recbole wheel"},
        "ingestion": ingest_summary(result, counts, load_s),
        "movielens": entry,
        "timings": timings,
        "versions": versions(),
    }
    md = "# MovieLens-100k\n\n" + task_markdown(
        "movielens", entry, task_plots("movielens", entry, run_dir)
    )
    write_report(run_dir, report, md)
    return RunResult(run_dir=run_dir, report=report, timings=timings)
