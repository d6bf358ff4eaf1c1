"""The model side of a report: tables of every model side by side, ablations, and PNG plots.

Rendered from the same dict that goes into ``report.json`` (a task's entry), so the Markdown
can never show a number the JSON does not hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cartograph.private import make_private
from cartograph.report_md import table

LINK_COLUMNS = ("recall@10", "recall@20", "ndcg@10", "ndcg@20", "hit@20", "mrr")
CLASS_COLUMNS = ("roc_auc", "pr_auc", "recall@1%", "recall@5%")


def _fmt(v: Any) -> str:
    return f"{v:.4f}" if isinstance(v, float) else ("-" if v is None else str(v))


def _cell(m: dict[str, Any], key: str, col: str) -> str:
    """``mean ± std`` when the model ran on several seeds, else the value."""
    value = _fmt(m.get(key, {}).get(col))
    std = m.get(f"{key}_std", {}).get(col)
    return f"{value} ± {std:.4f}" if isinstance(std, float) else value


def task_markdown(name: str, entry: dict[str, Any], plots: dict[str, str]) -> str:
    """One task's section: what was run on which data/split/seed, then every model's numbers."""
    models = entry.get("models", [])
    is_link = any("recall@20" in m.get("metrics", {}) for m in models)
    cols = LINK_COLUMNS if is_link else CLASS_COLUMNS
    valid_col = "ndcg@20" if is_link else "pr_auc"
    rows = [
        [
            f"**{m['name']}**" if m.get("is_gnn") else m["name"],
            "yes" if m.get("is_gnn") else "no",
            _cell(m, "valid_metrics", valid_col),
            *(_cell(m, "metrics", c) for c in cols),
            m.get("best_epoch", "-"),
            m.get("epochs_run", "-"),
            _fmt(m.get("seconds_per_epoch")),
            _fmt(m.get("total_seconds")),
            _fmt(m.get("peak_gpu_mb", m.get("peak_rss_mb"))),
        ]
        for m in models
    ]
    split = entry.get("split", {})
    parts = [
        f"## Task `{name}`: {entry.get('task', '')}\n",
        f"Seed {entry.get('seed')}, device {entry.get('device')}. Split: "
        f"{split.get('kind', '-')}; "
        + ", ".join(f"{k} {split[k]}" for k in ("t1", "t2", "label_delay_days") if k in split)
        + (f"; data hash `{entry['data_hash'][:12]}`" if "data_hash" in entry else "")
        + ". Test metrics (models chosen and early-stopped on the valid period only).\n",
        table(
            [
                "model",
                "GNN",
                f"valid {valid_col}",
                *cols,
                "best epoch",
                "epochs run",
                "s/epoch",
                "wall s",
                "peak MB",
            ],
            rows,
        ),  # peak MB: this model's GPU peak on CUDA, else the process's RSS peak so far
    ]
    if "selection" in entry:
        parts.append(_selection_line(entry["selection"]))
    cold = [m for m in models if m.get("cold_start")]
    if cold:
        ev = split.get("eval", {}).get("test_cold_start", {})
        parts.append(
            f"\nCold-start slice (targets bought by nobody before the test period: "
            f"{ev.get('users', '?')} users, {ev.get('targets', '?')} targets) — recall@20: "
            + ", ".join(f"{m['name']} {_fmt(m['cold_start'].get('recall@20'))}" for m in cold)
        )
    for m in models:
        if m.get("kg_filter"):
            parts.append(_kg_filter_line(m["name"], m["kg_filter"]))
    for title, ab in (entry.get("ablation") or {}).items():
        if not ab:
            continue
        parts.append(f"\n### Ablation: {title.replace('_', ' ')}\n")
        parts.append(_ablation_table(ab, cols))
    if "artefact" in entry:
        parts.append(
            f"\nServed model: `{entry['artefact']['version']}` (`{entry['artefact']['dir']}`)."
        )
    for title, rel in plots.items():
        parts.append(f"\n![{title}]({rel})")
    return "\n".join(parts) + "\n"


def _selection_line(sel: dict[str, Any]) -> str:
    """Which model won on valid, by how much over the best baseline, and what is served."""
    line = f"\nChosen on valid: **{sel.get('best_on_valid')}** ({sel.get('metric')})"
    if "best_baseline_on_valid" in sel:
        line += (
            f", {_signed(sel.get('valid_margin_over_baseline'))} on valid and "
            f"{_signed(sel.get('test_margin_over_baseline'))} on test over the best baseline "
            f"({sel['best_baseline_on_valid']})"
        )
    line += "."
    if sel.get("note"):
        line += f" Served: {sel.get('served')}; {sel['note']}."
    return line


def _kg_filter_line(name: str, kg: dict[str, Any]) -> str:
    """The KG graph filter's weight chosen on valid, each weight's valid score, and which item
    relations it propagated over: a reader sees whether the knowledge graph was used at all."""
    tried: dict[str, Any] = next((v for k, v in kg.items() if k.startswith("valid_")), {})
    metric = next((k.removeprefix("valid_") for k in kg if k.startswith("valid_")), "metric")
    relations = ", ".join(f"{r} ({n})" for r, n in kg.get("relations", {}).items())
    return (
        f"\n{name}: KG weight {kg.get('beta')} chosen on valid {metric} ("
        + ", ".join(f"{b}: {_fmt(v)}" for b, v in tried.items())
        + f"; 0 is gf-cf) over {kg.get('entities', 0)} item groups from "
        + (relations or "no static item relationship")
        + "."
    )


def _signed(v: Any) -> str:
    return f"{v:+.4f}" if isinstance(v, float | int) else "-"


def _ablation_table(ab: dict[str, Any], cols: tuple[str, ...]) -> str:
    rows = []
    for model, variants in ab.items():
        for variant, metrics in variants.items():
            if isinstance(metrics, dict):
                rows.append([model, variant, *(_fmt(metrics.get(c)) for c in cols)])
    return table(["model", "variant", *cols], rows)


def _valid_curve(curve: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The validation metric and the epochs that measured it: with ``eval_every`` > 1 (the
    demo's budgets past `small`, a user's spec) most epochs carry only their loss."""
    key = next((k for row in curve for k in row if k.startswith("valid_")), "")
    return key, [row for row in curve if key and key in row]


def task_plots(name: str, entry: dict[str, Any], out_dir: Path) -> dict[str, str]:
    """PNG plots next to the report; returns title → path relative to ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: dict[str, str] = {}
    models = entry.get("models", [])
    curves = [(m["name"], *_valid_curve(m.get("curve") or [])) for m in models]
    curves = [c for c in curves if c[1]]
    if curves:
        fig, ax = plt.subplots(figsize=(6, 4))
        for model, key, rows in curves:
            ax.plot([r["epoch"] for r in rows], [r[key] for r in rows], label=model)
            ax.set_ylabel(key.replace("_", " "))
        ax.set_xlabel("epoch")
        ax.set_title(f"{name}: validation during training")
        ax.legend(fontsize=8)
        out["training curves"] = _save(fig, out_dir / f"{name}_training.png")
    if models and "recall@10" in models[0].get("metrics", {}):
        fig, ax = plt.subplots(figsize=(6, 4))
        ks = sorted(int(k.split("@")[1]) for k in models[0]["metrics"] if k.startswith("recall@"))
        width = 0.8 / len(models)
        for j, m in enumerate(models):
            ax.bar(
                [i + j * width for i in range(len(ks))],
                [m["metrics"][f"recall@{k}"] for k in ks],
                width,
                label=m["name"],
            )
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(ks))], [f"K={k}" for k in ks])
        ax.set_ylabel("test Recall@K")
        ax.set_title(f"{name}: Recall@K by model")
        ax.legend(fontsize=8)
        out["Recall@K"] = _save(fig, out_dir / f"{name}_recall_at_k.png")
    pr = [m for m in models if m.get("pr_curve")]
    if pr:
        fig, ax = plt.subplots(figsize=(6, 4))
        for m in pr:
            ax.plot(
                m["pr_curve"]["recall"],
                m["pr_curve"]["precision"],
                label=f"{m['name']} (AP {m['metrics'].get('pr_auc', 0):.3f})",
            )
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_title(f"{name}: precision-recall on test")
        ax.legend(fontsize=8)
        out["PR curves"] = _save(fig, out_dir / f"{name}_pr.png")
    return {k: Path(v).name for k, v in out.items()}


def _save(fig: Any, path: Path) -> str:
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    make_private(path)
    plt.close(fig)
    return str(path)
