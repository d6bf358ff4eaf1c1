"""The plain functions behind the CLI's commands: settings and arguments in, results out.

Each command in ``cartograph.cli`` only parses its options and calls one function here (or in
``cartograph.pipeline`` for the end-to-end runs), so scripts and tests can run the same job
without a shell. This is the composition root: it may read settings and pick a Neo4j.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cartograph.report import new_run_dir, versions, write_report
from cartograph.report_md import extraction_table
from cartograph.report_tasks import task_markdown, task_plots
from cartograph.runtime import pseudonymiser, resolve_target
from cartograph.settings import Settings
from cartograph.summaries import task_summary


@dataclass
class JobResult:
    """What a command prints: its lines, and the run directory holding the report."""

    lines: list[str]
    run_dir: Path | None = None


def pick_seed(cli_seed: int | None, spec_seed: int | None, settings: Settings) -> int:
    """The command line wins, then the task spec, then the settings."""
    if cli_seed is not None:
        return cli_seed
    return spec_seed if spec_seed is not None else settings.seed


def ingest_job(
    settings: Settings, data: Path | None, mapping: Path | None, write_mode: str | None = None
) -> JobResult:
    """Read → clean → pseudonymise → load one folder of exports, with a report.
    ``write_mode`` (auto | bulk | incremental) overrides the setting for this run."""
    from cartograph.pipeline import (
        default_enrichers,
        ensure_marketplace,
        ingest_summary,
        run_ingest,
    )
    from cartograph.runtime import server_config

    target = resolve_target(settings, start=True)
    data_dir = data or ensure_marketplace(
        settings.data_dir, settings.scale, settings.seed, settings.fraud
    )
    run_dir = new_run_dir(settings.runs_dir)
    # Enrichment (text extraction, entity resolution) is built for the marketplace's files;
    # a user's own mapping loads without it.
    thresholds = (settings.ingest.er_user_threshold, settings.ingest.er_product_threshold)
    enrichers = default_enrichers(data_dir, settings.seed, thresholds) if mapping is None else None
    result, counts, load_s = run_ingest(
        target,
        data_dir,
        mapping or settings.ingest.mapping,
        pseudonymiser(settings),
        run_dir,
        settings.ingest.batch_size,
        enrichers,
        max_reject_share=settings.ingest.max_reject_share,
        write_mode=write_mode or settings.ingest.write_mode,
        server=server_config(settings) if target.managed else None,
    )
    summary = ingest_summary(result, counts, load_s)
    report = {
        "seed": settings.seed,
        "data": {"dir": str(data_dir)},
        "ingestion": summary,
        "versions": versions(),
    }
    body = json.dumps(summary, indent=2, default=str)
    write_report(run_dir, report, f"# Cartograph ingest\n\n```json\n{body}\n```\n")
    t = summary["totals"]
    line = (
        f"read {t['read']:,}: loaded {t['loaded']:,}, rejected {t['rejected']:,}, "
        f"duplicates {t['duplicates']:,} (reconciles: {summary['reconciles']}); "
        f"rejects in {result.rejects_path}; written by the {counts.write_mode} path"
    )
    return JobResult([line], run_dir)


def evaluate_extraction_job(settings: Settings, data: Path | None) -> JobResult:
    """Precision/recall/F1 of entity resolution and text extraction, read from the graph."""
    from cartograph.pipeline import ensure_marketplace
    from extraction.evaluate import evaluate_extraction
    from graph.connection import open_driver

    target = resolve_target(settings, start=True)
    data_dir = data or ensure_marketplace(
        settings.data_dir, settings.scale, settings.seed, settings.fraud
    )
    with open_driver(target) as driver:
        scores = evaluate_extraction(driver, data_dir, target.database)
    table = extraction_table(scores)
    run_dir = new_run_dir(settings.runs_dir)
    write_report(
        run_dir,
        {"data": {"dir": str(data_dir)}, "extraction": scores, "versions": versions()},
        f"# Extraction evaluation\n\n{table}\n",
    )
    return JobResult([table, f"report: {run_dir / 'report.json'}"], run_dir)


def write_task_report(settings: Settings, name: str, report: dict[str, Any]) -> Path:
    """``runs/<ts>/report.{json,md}`` (tables and plots) for one task."""
    run_dir = new_run_dir(settings.runs_dir)
    entry = {**report, "versions": versions()}
    md = task_markdown(name, entry, task_plots(name, entry, run_dir))
    write_report(run_dir, {name: entry, "versions": versions()}, md)
    return run_dir


def distributed_setup(device: Any) -> tuple[Any, int]:
    """Under ``torchrun`` (``WORLD_SIZE`` > 1): join the process group (NCCL on GPUs, gloo on
    CPUs), one GPU per local rank; returns the device and this process's rank."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return device, 0
    import torch
    import torch.distributed as dist

    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device, dist.get_rank()


def train_job(
    settings: Settings, task: str, seed: int | None, seeds: int | None = None
) -> JobResult:
    """Every model of a task side by side; the one chosen on valid saved as ``latest``. The
    spec is read first, so a bad spec fails before any server is touched."""
    from gnn.tasks import load_task
    from gnn.tasks.runner import resolve_device, train_task
    from gnn.tasks.spec import with_seeds
    from graph.connection import open_driver

    spec = with_seeds(load_task(task), seeds)
    device, rank = distributed_setup(resolve_device(settings.train.device))
    target = resolve_target(settings, start=rank == 0)
    with open_driver(target) as driver:
        run = train_task(
            driver,
            target.database,
            spec,
            pick_seed(seed, spec.seed, settings),
            device,
            settings.train.models_dir,
            save=rank == 0,
        )
    if rank != 0:
        return JobResult([])
    run_dir = write_task_report(settings, spec.name, run.report)
    lines = [task_summary(spec.name, run.report), f"model: {run.model_dir}"]
    return JobResult([*lines, f"report: {run_dir / 'report.md'}"], run_dir)


def evaluate_model_job(
    settings: Settings, task: str, seed: int | None, seeds: int | None = None
) -> JobResult:
    """Every model of a task on its split, side by side, with plots; saves no model."""
    from gnn.tasks import load_task
    from gnn.tasks.runner import evaluate_task, resolve_device
    from gnn.tasks.spec import with_seeds
    from graph.connection import open_driver

    spec = with_seeds(load_task(task), seeds)
    target = resolve_target(settings, start=True)
    with open_driver(target) as driver:
        run = evaluate_task(
            driver,
            target.database,
            spec,
            pick_seed(seed, spec.seed, settings),
            resolve_device(settings.train.device),
        )
    run_dir = write_task_report(settings, spec.name, run.report)
    lines = [task_summary(spec.name, run.report), f"report: {run_dir / 'report.md'}"]
    return JobResult(lines, run_dir)


def score_job(
    settings: Settings,
    task: str,
    model: Path | None,
    output: Path | None,
    top_k: int | None,
    write_back: bool,
) -> JobResult:
    """Score with a trained model; replace the previous model's scores in Neo4j."""
    from gnn.artefacts import resolve
    from gnn.tasks import load_task
    from gnn.tasks.runner import score_task
    from graph.connection import open_driver

    name = load_task(task).name if model is None else task
    model_dir = resolve(settings.train.models_dir, model or name)
    target = resolve_target(settings, start=True)
    with open_driver(target) as driver:
        summary = score_task(driver, target.database, model_dir, output, top_k, write_back)
    return JobResult([json.dumps(summary.as_dict(), indent=2)])


def demo_job(settings: Settings) -> list[str]:
    """The main job on the built-in data, and the lines that say where to look next."""
    from cartograph.pipeline import DEMO_TASKS, FIRST_QUERY, DemoConfig, run_demo
    from cartograph.runtime import server_config
    from cartograph.summaries import api_hint, demo_summary

    target = resolve_target(settings, start=True)
    cfg = server_config(settings)
    browser = cfg.browser_url if target.managed else None
    demo = DemoConfig.from_settings(settings, pseudonymiser(settings))
    demo = replace(demo, server=cfg if target.managed else None)
    result = run_demo(target, demo, browser)
    lines = demo_summary(
        result.report,
        settings.seed,
        DEMO_TASKS,
        str(result.run_dir / "report.md"),
        browser,
        target.uri,
        str(cfg.password_file) if target.managed else None,
        FIRST_QUERY,
    )
    return [*lines, api_hint(settings, result.report)]


def movielens_job(settings: Settings, max_ratings: int | None) -> list[str]:
    """MovieLens-100k through its mapping file and every recommender."""
    from cartograph.pipeline import run_movielens

    result = run_movielens(
        resolve_target(settings, start=True),
        settings.runs_dir,
        settings.data_dir,
        pseudonymiser(settings),
        settings.seed,
        settings.train.models_dir,
        settings.train.device,
        max_ratings,
    )
    summary = task_summary("movielens", result.report["movielens"])
    return [summary, f"report: {result.run_dir / 'report.md'}"]
