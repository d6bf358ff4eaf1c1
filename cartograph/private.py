"""Files and folders that hold data are private to their owner: files 0600, folders 0700.

Run directories, rejects, score CSVs, reports and model artefacts all describe real customers
(pseudonymised, but still keyed to them), so on a shared machine they must not be readable by
other accounts whatever the process umask is. Every writer in the project goes through these
few helpers (or ``chmod``s what a library wrote with ``make_private``), which sit at the bottom
layer so extraction, gnn, graph and the reports can all use them.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """``path`` (and missing parents) created 0700; an existing leaf is tightened to 0700.

    Existing parents are left as they are: they may be shared folders the user chose (``/tmp``,
    a project checkout), which are not ours to change. Parents made here are ours."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(folder, DIR_MODE)  # mkdir's mode is masked by the umask
    os.chmod(path, DIR_MODE)
    return path


def create_private(path: Path, append: bool = False) -> int:
    """A file descriptor for writing ``path``, created 0600 (an existing file is tightened to
    0600 before anything is written to it, so no byte is ever readable by others)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd


def write_private_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """``Path.write_text`` that creates the file 0600."""
    with os.fdopen(create_private(path), "w", encoding=encoding) as handle:
        handle.write(text)


def make_private(path: Path) -> None:
    """0600 for a file (0700 for a folder) a library wrote with its own mode (matplotlib,
    ``torch.save``); call it right after the write."""
    os.chmod(path, DIR_MODE if Path(path).is_dir() else FILE_MODE)
