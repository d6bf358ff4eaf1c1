"""The human-readable side of a run report (Markdown), from the same dict as ``report.json``."""

from __future__ import annotations

from typing import Any


def _table(headers: list[str], rows: list[list[Any]]) -> str:
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
        + _table(["source", "read", "loaded", "rejected", "duplicates"], rows)
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


def render_markdown(report: dict[str, Any], first_query: str) -> str:
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
    parts += [
        "## Graph\n\n" + _table(["label", "nodes"], nodes) + "\n",
        _table(["relationship type", "count"], rels) + "\n",
        f"## A first query for Neo4j Browser\n\n```cypher\n{first_query}\n```\n",
        f"Versions: {report['versions']}\n",
    ]
    return "\n".join(parts)
