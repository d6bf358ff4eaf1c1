"""Run directories: ``runs/<timestamp>/`` with ``report.json`` and ``report.md``, ``runs/latest``.

A report always carries the seed, versions and timings next to the numbers, so any figure in it can
be traced to the command and data that produced it.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cartograph.private import DIR_MODE, write_private_text
from gnn.provenance import code_version

__all__ = ["code_version", "new_run_dir", "point_latest", "versions", "write_report"]


def new_run_dir(runs_dir: Path) -> Path:
    """A fresh ``runs/<UTC timestamp>`` directory (suffixed if two runs start in one second)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = runs_dir / stamp
    n = 1
    while path.exists():
        n += 1
        path = runs_dir / f"{stamp}-{n}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=DIR_MODE)  # 0700: a run holds rejects, scores and plots of real customers
    os.chmod(path, DIR_MODE)  # whatever the umask
    return path


def point_latest(run_dir: Path) -> None:
    """Atomically repoint ``runs/latest`` (the same temp-link-and-rename as model artefacts)."""
    from gnn.artefacts import point_latest as repoint

    repoint(run_dir)


def versions() -> dict[str, str]:
    """Versions of the pieces a result depends on."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"cartograph": code_version(), "python": platform.python_version()}
    for pkg in ("neo4j", "torch", "torch-geometric", "spacy", "transformers", "networkx"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    return out


def write_report(run_dir: Path, report: dict[str, Any], markdown: str) -> None:
    """Write both forms, then point ``latest`` at the run only once both are complete."""
    write_private_text(run_dir / "report.json", json.dumps(report, indent=2, default=str) + "\n")
    write_private_text(run_dir / "report.md", markdown)
    point_latest(run_dir)
