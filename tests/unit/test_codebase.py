"""House rules that can silently rot: lint and the package layering (see docs/architecture.md)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("tool", [["ruff", "check", "--quiet", "."], ["lint-imports"]])
def test_tool_passes(tool: list[str]) -> None:
    exe = BIN / tool[0]
    if not exe.exists():
        exe = Path(shutil.which(tool[0]) or tool[0])
    result = subprocess.run(
        [str(exe), *tool[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
