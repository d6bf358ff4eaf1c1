"""The ``cartograph`` command. Each command parses arguments and calls one plain function;
expected failures print a coded message and exit 1, without a traceback."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from cartograph.errors import CartographError
from cartograph.settings import Settings

app = typer.Typer(
    help="Cartograph: e-commerce knowledge graph + GNN link scoring.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
neo4j_app = typer.Typer(help="The managed local Neo4j server.", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
evaluate_app = typer.Typer(
    help="Score what is in the graph against ground truth.", no_args_is_help=True
)
app.add_typer(evaluate_app, name="evaluate")
console = Console()
F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CartographError as exc:
            console.print(f"[red]error[/red] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@neo4j_app.command("start")
@handles_errors
def neo4j_start() -> None:
    """Install (first time) and start the local Neo4j; waits until Bolt answers."""
    from cartograph.runtime import resolve_target, server_config

    settings = Settings()
    target = resolve_target(settings, start=True)
    console.print(f"Neo4j ready at {target.uri}; Browser {server_config(settings).browser_url}")


@neo4j_app.command("stop")
@handles_errors
def neo4j_stop() -> None:
    """Stop the local Neo4j cleanly (SIGTERM, then SIGKILL after 60 s)."""
    from cartograph.runtime import server_config
    from graph.server import stop

    console.print("stopped" if stop(server_config(Settings())) else "not running")


@neo4j_app.command("status")
@handles_errors
def neo4j_status() -> None:
    """Exit 0 only when Bolt answers with the configured credentials."""
    from cartograph.runtime import resolve_target
    from graph.server import bolt_ready

    target = resolve_target(Settings(), start=False)
    if bolt_ready(target.uri, target.user, target.password):
        console.print(f"up: {target.uri}")
        return
    console.print(f"down: {target.uri}")
    raise typer.Exit(1)


@neo4j_app.command("logs")
@handles_errors
def neo4j_logs(lines: int = typer.Option(50, help="Lines from the end of each log.")) -> None:
    """Print the end of the server's console and debug logs."""
    from cartograph.runtime import server_config
    from graph.server import tail_logs

    sys.stdout.write(tail_logs(server_config(Settings()), lines) + "\n")


@app.command()
@handles_errors
def generate(
    out: Annotated[Path, typer.Option(help="Output folder (raw/, truth/, manifest.json).")],
    scale: Annotated[str, typer.Option(help="small | medium | large (>= 1M orders).")] = "small",
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 7,
) -> None:
    """Write the built-in marketplace's raw exports and its separate ground truth."""
    from extraction.marketplace import generate as generate_marketplace

    summary = generate_marketplace(scale, seed, out)
    console.print(
        f"wrote {sum(summary.record_counts.values()):,} rows to {out} in {summary.elapsed_s:.1f} s"
    )


@app.command()
@handles_errors
def ingest(
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder the mapping's paths are relative to (default: built-in marketplace data)."
        ),
    ] = None,
    mapping: Annotated[Path | None, typer.Option(help="Mapping file (default: built-in).")] = None,
) -> None:
    """Read → clean → pseudonymise → load one folder of exports into Neo4j, with a report."""
    from cartograph.pipeline import (
        default_enrichers,
        ensure_marketplace,
        ingest_summary,
        run_ingest,
    )
    from cartograph.report import new_run_dir, versions, write_report
    from cartograph.runtime import pseudonymiser, resolve_target

    settings = Settings()
    target = resolve_target(settings, start=True)
    data_dir = data or ensure_marketplace(settings.data_dir, settings.scale, settings.seed)
    run_dir = new_run_dir(settings.runs_dir)
    # Enrichment (text extraction, entity resolution) is built for the marketplace's files;
    # a user's own mapping loads without it.
    thresholds = (settings.er_user_threshold, settings.er_product_threshold)
    enrichers = default_enrichers(data_dir, settings.seed, thresholds) if mapping is None else None
    result, counts, load_s = run_ingest(
        target,
        data_dir,
        mapping or settings.mapping,
        pseudonymiser(settings),
        run_dir,
        settings.batch_size,
        enrichers,
    )
    summary = ingest_summary(result, counts, load_s)
    report = {
        "seed": settings.seed,
        "data": {"dir": str(data_dir)},
        "ingestion": summary,
        "versions": versions(),
    }
    write_report(
        run_dir,
        report,
        "# Cartograph ingest\n\n```json\n" + json.dumps(summary, indent=2, default=str) + "\n```\n",
    )
    t = summary["totals"]
    console.print(
        f"read {t['read']:,}: loaded {t['loaded']:,}, rejected {t['rejected']:,}, "
        f"duplicates {t['duplicates']:,} (reconciles: {summary['reconciles']}); "
        f"rejects in {result.rejects_path}"
    )


@evaluate_app.command("extraction")
@handles_errors
def evaluate_extraction_cmd(
    data: Annotated[
        Path | None,
        typer.Option(help="Generated data folder with truth/ (default: the built-in data)."),
    ] = None,
) -> None:
    """Precision/recall/F1 of entity resolution and text extraction, read from the graph."""
    from cartograph.pipeline import ensure_marketplace
    from cartograph.report import new_run_dir, versions, write_report
    from cartograph.report_md import extraction_table
    from cartograph.runtime import resolve_target
    from extraction.evaluate import evaluate_extraction
    from graph.connection import open_driver

    settings = Settings()
    target = resolve_target(settings, start=True)
    data_dir = data or ensure_marketplace(settings.data_dir, settings.scale, settings.seed)
    with open_driver(target) as driver:
        scores = evaluate_extraction(driver, data_dir, target.database)
    table = extraction_table(scores)
    run_dir = new_run_dir(settings.runs_dir)
    write_report(
        run_dir,
        {"data": {"dir": str(data_dir)}, "extraction": scores, "versions": versions()},
        f"# Extraction evaluation\n\n{table}\n",
    )
    sys.stdout.write(table + "\n")
    console.print(f"report: {run_dir / 'report.json'}")


TaskOpt = Annotated[
    str, typer.Option("--task", help="recommend | fraud | path to a task spec YAML file.")
]


def task_summary(task: str, entry: dict[str, Any]) -> str:
    """One line per task: each model's headline metric, the GNNs marked with *."""
    models = entry.get("models", [])
    metric = "recall@20" if any("recall@20" in m["metrics"] for m in models) else "pr_auc"
    cells = ", ".join(
        f"{m['name']}{'*' if m.get('is_gnn') else ''} {m['metrics'].get(metric, float('nan')):.4f}"
        for m in models
    )
    return f"{task} (test {metric}; * = GNN): {cells}"


def write_task_report(settings: Settings, name: str, report: dict[str, Any]) -> Path:
    """``runs/<ts>/report.{json,md}`` (tables and plots) for one task; prints its summary."""
    from cartograph.report import new_run_dir, versions, write_report
    from cartograph.report_tasks import task_markdown, task_plots

    run_dir = new_run_dir(settings.runs_dir)
    entry = {**report, "versions": versions()}
    md = task_markdown(name, entry, task_plots(name, entry, run_dir))
    write_report(run_dir, {name: entry, "versions": versions()}, md)
    console.print(task_summary(name, report), highlight=False)
    return run_dir


def distributed_setup(device: Any) -> tuple[Any, int]:
    """Under ``torchrun`` (``WORLD_SIZE`` > 1): join the process group (NCCL on GPUs, gloo on
    CPUs), one GPU per local rank; returns the device and this process's rank."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return device, 0
    import torch
    import torch.distributed as dist

    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device, dist.get_rank()


@app.command()
@handles_errors
def train(task: TaskOpt = "recommend", seed: Annotated[int | None, typer.Option()] = None) -> None:
    """Train every model of a task side by side; save the one chosen on valid as `latest`."""
    from cartograph.runtime import resolve_target
    from gnn.tasks import load_task
    from gnn.tasks.runner import resolve_device, train_task
    from graph.connection import open_driver

    settings = Settings()
    spec = load_task(task)
    device, rank = distributed_setup(resolve_device(settings.device))
    target = resolve_target(settings, start=rank == 0)
    with open_driver(target) as driver:
        run = train_task(
            driver,
            target.database,
            spec,
            seed if seed is not None else (spec.seed if spec.seed is not None else settings.seed),
            device,
            settings.models_dir,
            save=rank == 0,
        )
    if rank != 0:
        return
    run_dir = write_task_report(settings, spec.name, run.report)
    console.print(f"model: {run.model_dir}\nreport: {run_dir / 'report.md'}")


@evaluate_app.command("model")
@handles_errors
def evaluate_model_cmd(
    task: TaskOpt = "recommend", seed: Annotated[int | None, typer.Option()] = None
) -> None:
    """Every model of a task on its split, side by side, with plots; saves no model."""
    from cartograph.runtime import resolve_target
    from gnn.tasks import load_task
    from gnn.tasks.runner import evaluate_task, resolve_device
    from graph.connection import open_driver

    settings = Settings()
    spec = load_task(task)
    target = resolve_target(settings, start=True)
    with open_driver(target) as driver:
        run = evaluate_task(
            driver,
            target.database,
            spec,
            seed if seed is not None else (spec.seed if spec.seed is not None else settings.seed),
            resolve_device(settings.device),
        )
    run_dir = write_task_report(settings, spec.name, run.report)
    console.print(f"report: {run_dir / 'report.md'}")


@app.command()
@handles_errors
def score(
    task: TaskOpt = "recommend",
    model: Annotated[
        Path | None, typer.Option(help="A model directory (default: the task's latest).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(help="Also write CSV: source_key,target_key,score,rank or key,score."),
    ] = None,
    top_k: Annotated[int | None, typer.Option(help="Links kept per source node.")] = None,
    write_back: Annotated[bool, typer.Option(help="Write the scores into Neo4j.")] = True,
) -> None:
    """Score with a trained model; replace the previous model's scores in Neo4j."""
    from cartograph.runtime import resolve_target
    from gnn.artefacts import resolve
    from gnn.tasks import load_task
    from gnn.tasks.runner import score_task
    from graph.connection import open_driver

    settings = Settings()
    name = load_task(task).name if model is None else task
    model_dir = resolve(settings.models_dir, model or name)
    target = resolve_target(settings, start=True)
    with open_driver(target) as driver:
        summary = score_task(driver, target.database, model_dir, output, top_k, write_back)
    console.print(json.dumps(summary.as_dict(), indent=2), highlight=False)


@app.command()
@handles_errors
def movielens(
    max_ratings: Annotated[
        int | None, typer.Option(help="Load only the first N ratings (quick look).")
    ] = None,
) -> None:
    """MovieLens-100k from the RecBole wheel → mapping file → Neo4j → every recommender."""
    from cartograph.pipeline import run_movielens
    from cartograph.runtime import pseudonymiser, resolve_target

    settings = Settings()
    target = resolve_target(settings, start=True)
    result = run_movielens(
        target,
        settings.runs_dir,
        settings.data_dir,
        pseudonymiser(settings),
        settings.seed,
        settings.models_dir,
        settings.device,
        max_ratings,
    )
    console.print(task_summary("movielens", result.report["movielens"]), highlight=False)
    console.print(f"report: {result.run_dir / 'report.md'}")


@app.command()
@handles_errors
def demo() -> None:
    """The main job on the built-in data: Neo4j, generate, ingest, report, where to look."""
    from cartograph.pipeline import DEMO_TASKS, FIRST_QUERY, run_demo
    from cartograph.runtime import pseudonymiser, resolve_target, server_config

    settings = Settings()
    target = resolve_target(settings, start=True)
    cfg = server_config(settings)
    browser = cfg.browser_url if target.managed else None
    result = run_demo(
        target,
        settings.runs_dir,
        settings.data_dir,
        settings.mapping,
        pseudonymiser(settings),
        settings.scale,
        settings.seed,
        browser,
        settings.batch_size,
        er_thresholds=(settings.er_user_threshold, settings.er_product_threshold),
        models_dir=settings.models_dir,
        device=settings.device,
    )
    ing = result.report["ingestion"]
    console.print(
        f"\n[bold]Cartograph demo done[/bold] ({result.report['data']['scale']} "
        f"marketplace, seed {settings.seed})"
    )
    console.print(
        f"  records read {ing['totals']['read']:,}, loaded {ing['totals']['loaded']:,},"
        f" rejected {ing['totals']['rejected']:,} (reconciles: {ing['reconciles']})"
    )
    console.print(f"  nodes: {result.report['counts']['nodes']}")
    for task in DEMO_TASKS:
        if task in result.report:
            console.print("  " + task_summary(task, result.report[task]), highlight=False)
    console.print(f"  report: {result.run_dir / 'report.md'} (also runs/latest/report.json)")
    if target.managed:
        console.print(
            f"  Neo4j Browser: {browser}  (connect to {target.uri}, user neo4j,"
            f" password in {cfg.password_file})"
        )
    console.print(f"  first query:\n    {FIRST_QUERY}", highlight=False)
    console.print(api_hint(settings, result.report), highlight=False)


def api_hint(settings: Settings, report: dict[str, Any]) -> str:
    """How to start the API and one curl per endpoint, with keys that exist in the demo graph."""
    base = f"http://{settings.api_host}:{settings.api_port}"
    top = report.get("fraud", {}).get("account_links", {}).get("top", [])
    user = top[0]["a"] if top else "<user key>"
    h = '-H "X-API-Key: $TOKEN"'
    lines = [
        "\n[bold]API[/bold] (start it in another shell):",
        "  export TOKEN=$(cartograph apikey create --role analyst --name demo --quiet)",
        "  cartograph serve",
        f"  curl {base}/health ; curl {base}/ready",
        f'  curl {h} "{base}/users/{user}/recommendations?k=5"',
        f"  curl {h} {base}/users/{user}/risk",
        f"  curl {h} -X POST {base}/links/score -H 'Content-Type: application/json' "
        f'-d \'{{"pairs": [{{"source": "{user}", "target": "{user}", '
        '"type": "LIKELY_SAME_ACTOR"}]}\'',
        f"  curl {h} {base}/analyst/queries",
        f"  curl {h} -X POST {base}/analyst/queries/shared_identifier_rings "
        "-H 'Content-Type: application/json' -d '{\"params\": {}}'",
        "  more (order risk, new-order scoring): docs/api.md",
    ]
    return "\n".join(lines)


# --- HTTP API (issue 5): serve, apikey ---------------------------------------------------------
apikey_app = typer.Typer(
    help="API keys for the HTTP service (hashed at rest).", no_args_is_help=True
)
app.add_typer(apikey_app, name="apikey")


@app.command()
@handles_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default: loopback).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: CARTOGRAPH_API_PORT).")] = None,
) -> None:
    """Run the HTTP API on the graph (Neo4j started if managed); docs at /docs."""
    import uvicorn

    from api.app import create_app
    from cartograph.runtime import resolve_target
    from graph.connection import open_driver

    settings = Settings()
    target = resolve_target(settings, start=True)
    with open_driver(target) as driver:
        api = create_app(settings, driver, live=True)  # trained models when present
        bind = host or settings.api_host
        console.print(f"Cartograph API on http://{bind}:{port or settings.api_port}/docs")
        uvicorn.run(api, host=bind, port=port or settings.api_port, log_level="warning")


@apikey_app.command("create")
@handles_errors
def apikey_create(
    role: Annotated[str, typer.Option(help="service (scoring) or analyst (also queries).")],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
    quiet: Annotated[bool, typer.Option(help="Print only the token (for scripts).")] = False,
) -> None:
    """Create a key; the token is printed once and only its salted hash is stored."""
    from api.keys import KeyStore

    key, token = KeyStore(Settings().api_keys_file).create(role, name)
    if not quiet:
        console.print(f"key {key.id} ({key.role}) created; the token is shown only now:")
    sys.stdout.write(token + "\n")


@apikey_app.command("list")
@handles_errors
def apikey_list() -> None:
    """List keys (id, role, name, created, revoked); never the tokens."""
    from api.keys import KeyStore

    for k in KeyStore(Settings().api_keys_file).records():
        state = "revoked" if k.revoked else "active"
        sys.stdout.write(f"{k.id}\t{k.role}\t{state}\t{k.created_at}\t{k.name}\n")


@apikey_app.command("revoke")
@handles_errors
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id from `apikey list`.")],
) -> None:
    """Revoke a key; a running server refuses it from its next request."""
    from api.keys import KeyStore

    if not KeyStore(Settings().api_keys_file).revoke(key_id):
        console.print(f"[red]error[/red] [E622] no active key {key_id!r}", highlight=False)
        raise typer.Exit(1)
    console.print(f"revoked {key_id}")


if __name__ == "__main__":
    app()
