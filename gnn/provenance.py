"""Which code produced a model: stored in every artefact's manifest and every report.

Torch-free on purpose: ``cartograph.report`` imports it too, and ``gnn`` may not import
``cartograph`` (beyond its errors), so the version comes from the installed distribution.
"""

from __future__ import annotations

import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def code_version() -> str:
    """Package version plus the git commit when run from a checkout."""
    try:
        package = version("cartograph")
    except PackageNotFoundError:
        package = "unknown"
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        sha = "unknown"
    return f"{package}+{sha}"
