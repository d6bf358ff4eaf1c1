"""The human-readable side of a run report (Markdown), from the same dict as ``report.json``."""

from __future__ import annotations

from typing import Any


def table(headers: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _ingestion(ing: dict[str, Any]) -> str:
    rows = [
        [name, c["read"], c["loaded"], c["rejected"], c["duplicates"]]
        for name, c in ing["sources"].items()
    ]
    t = ing["totals"]
    rows.append(["**total**", t["read"], t["loaded"], t["rejected"], t["duplicates"]])
    load = ing["load"]
    return (
        "## Ingestion\n\n"
        + table(["source", "read", "loaded", "rejected", "duplicates"], rows)
        + f"\n\nCounts reconcile (read = loaded + rejected + duplicates): "
        f"**{'yes' if ing['reconciles'] else 'NO'}**. Optional values dropped and noted: "
        f"{ing['field_issues']:,}. Every rejected record and dropped value is listed with its "
        f"field and reason in `{ing['rejects_file']}`.\n\n"
        f"Loaded {ing['records']['nodes']:,} node and {ing['records']['relationships']:,} "
        f"relationship records: {load['nodes_created']:,} nodes and "
        f"{load['relationships_created']:,} relationships created this run (0 when the same "
        f"data was loaded before), {load['missing_endpoints']:,} relationships with a missing "
        f"endpoint.\n\nStage timings (s): "
        + ", ".join(f"{k} {v}" for k, v in ing["timings"].items())
        + "\n"
    )


def render_markdown(
    report: dict[str, Any], first_query: str, sections: tuple[str, ...] = ()
) -> str:
    """The run report; ``sections`` (the model tasks' Markdown) go after extraction."""
    nodes = [[k, v] for k, v in report["counts"]["nodes"].items()]
    rels = [[k, v] for k, v in report["counts"]["relationships"].items()]
    data = report["data"]
    parts = [
        "# Cartograph run\n",
        f"Data: built-in `{data['name']}` ({data.get('scale', '-')}), seed {report['seed']}. "
        f"Neo4j: {report['neo4j']['uri']} (Browser: {report['neo4j']['browser']}).\n",
    ]
    if "ingestion" in report:
        parts.append(_ingestion(report["ingestion"]))
    if "extraction" in report:
        parts.append(
            "## Extraction quality (graph vs ground truth)\n\n"
            "Read back from Neo4j and compared with the generator's truth files, which ingestion "
            "never reads. `heldout` = phrasings the extractors were never built from.\n\n"
            + extraction_table(report["extraction"])
            + "\n"
        )
    budgets = {
        task: over["train"] for task, over in report.get("task_overrides", {}).items()
        if isinstance(over, dict) and over.get("train")
    }  # fmt: skip
    if budgets:  # past `small`: say so before the tables, whose trained rows it bounds
        parts.append(
            "Training beyond the task presets (every trained model; docs/scaling.md): "
            + "; ".join(
                f"{task}: " + ", ".join(f"`{k}` {v}" for k, v in train.items())
                for task, train in budgets.items()
            )
            + ".\n"
        )
    parts += list(sections)
    parts += [
        "## Graph\n\n" + table(["label", "nodes"], nodes) + "\n",
        table(["relationship type", "count"], rels) + "\n",
        f"## A first query for Neo4j Browser\n\n```cypher\n{first_query}\n```\n",
        f"Versions: {report['versions']}\n",
    ]
    return "\n".join(parts)


def extraction_table(scores: dict[str, Any]) -> str:
    """One row per extraction task: pairwise for entity resolution, per pool for text tasks."""
    rows: list[list[Any]] = []
    for task in ("customer_er", "product_matching"):
        if task in scores:
            s = scores[task]
            rows.append(
                [
                    task,
                    "pairwise (links)",
                    f"{s['precision']:.3f}",
                    f"{s['recall']:.3f}",
                    f"**{s['f1']:.3f}**",
                    f"closure F1 {s['closure']['f1']:.3f}",
                ]
            )
    for task in ("attributes", "order_refs", "ticket_intent", "review_sentiment"):
        if task not in scores:
            continue
        for pool in ("heldout", "all"):
            s = scores[task][pool]
            if "accuracy" in s:
                rows.append(
                    [
                        task,
                        pool,
                        "",
                        "",
                        f"**{s['accuracy']:.3f}** (accuracy)",
                        f"macro F1 {s['macro_f1']:.3f}, n={s['n']}",
                    ]
                )
            else:
                rows.append(
                    [
                        task,
                        pool,
                        f"{s['precision']:.3f}",
                        f"{s['recall']:.3f}",
                        f"**{s['f1']:.3f}**",
                        "",
                    ]
                )
    return table(["task", "slice", "precision", "recall", "F1 / accuracy", "notes"], rows)
