"""What the CLI prints after a run: one line per task, the demo's closing summary and the API
hint. Plain strings built from the same report dicts that go into ``report.json``, so the console
never shows a number the report does not hold; every command line is one unbroken line, so it
can be copied and pasted as it is."""

from __future__ import annotations

from typing import Any

from cartograph.settings import Settings


def task_summary(task: str, entry: dict[str, Any]) -> str:
    """One line per task: each model's headline metric, the GNNs marked with *."""
    models = entry.get("models", [])
    metric = "recall@20" if any("recall@20" in m["metrics"] for m in models) else "pr_auc"
    cells = ", ".join(
        f"{m['name']}{'*' if m.get('is_gnn') else ''} {m['metrics'].get(metric, float('nan')):.4f}"
        for m in models
    )
    return f"{task} (test {metric}; * = GNN): {cells}"


def demo_summary(
    report: dict[str, Any],
    seed: int,
    tasks: tuple[str, ...],
    report_path: str,
    browser: str | None,
    bolt_uri: str,
    password_file: str | None,
    first_query: str,
) -> list[str]:
    """The demo's closing lines: counts, each task's models, and where to look next."""
    ing = report["ingestion"]
    lines = [
        f"\nCartograph demo done ({report['data']['scale']} marketplace, seed {seed})",
        f"  records read {ing['totals']['read']:,}, loaded {ing['totals']['loaded']:,},"
        f" rejected {ing['totals']['rejected']:,} (reconciles: {ing['reconciles']})",
        f"  nodes: {report['counts']['nodes']}",
        *("  " + task_summary(t, report[t]) for t in tasks if t in report),
        f"  report: {report_path} (also runs/latest/report.json)",
    ]
    if browser:
        lines.append(
            f"  Neo4j Browser: {browser}  (connect to {bolt_uri}, user neo4j,"
            f" password in {password_file})"
        )
    lines.append("  first query (paste into Browser):")
    lines.append(f"    {first_query}")
    return lines


def api_hint(settings: Settings, report: dict[str, Any]) -> str:
    """How to start the API and one curl per endpoint, with keys that exist in the demo graph."""
    base = f"http://{settings.api.host}:{settings.api.port}"
    top = report.get("fraud", {}).get("account_links", {}).get("top", [])
    user = top[0]["a"] if top else "<user key>"
    h = '-H "X-API-Key: $TOKEN"'
    pair = f'{{"pairs": [{{"source": "{user}", "target": "{user}", "type": "LIKELY_SAME_ACTOR"}}]}}'
    lines = [
        "\nAPI (start it in another shell):",
        "  export TOKEN=$(cartograph apikey create --role analyst --name demo --quiet)",
        "  cartograph serve",
        f"  curl {base}/health ; curl {base}/ready",
        f'  curl {h} "{base}/users/{user}/recommendations?k=5"',
        f"  curl {h} {base}/users/{user}/risk",
        f"  curl {h} -X POST {base}/links/score -H 'Content-Type: application/json' -d '{pair}'",
        f"  curl {h} {base}/analyst/queries",
        f"  curl {h} -X POST {base}/analyst/queries/shared_identifier_rings"
        " -H 'Content-Type: application/json' -d '{\"params\": {}}'",
        "  more (order risk, new-order scoring): docs/api.md",
    ]
    return "\n".join(lines)
