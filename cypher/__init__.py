"""All Cypher lives here as ``.cypher`` files; ``load`` returns one by name.

Analyst queries under ``queries/`` run as-is in Neo4j Browser. Write templates under ``writes/``
have ``{label}``-style identifier slots that ``graph`` fills only with validated identifiers
(labels and types cannot be Cypher parameters); every value is always a ``$parameter``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent


@cache
def load(name: str) -> str:
    """Text of ``cypher/<name>.cypher`` (e.g. ``"writes/merge_nodes"``) with its header."""
    path = (ROOT / f"{name}.cypher").resolve()
    if ROOT not in path.parents or not path.exists():
        raise FileNotFoundError(f"no Cypher file named {name!r} under {ROOT}")
    return path.read_text()


def names(folder: str) -> list[str]:
    """Names of the ``.cypher`` files in a folder, sorted, e.g. ``names("schema")``."""
    return sorted(f"{folder}/{p.stem}" for p in (ROOT / folder).glob("*.cypher"))


def statements(text: str) -> list[str]:
    """Split a file into statements on ``;`` at line ends, dropping ``//`` comment-only lines."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    parts = (s.strip().rstrip(";").strip() for s in body.split(";\n"))
    return [s for s in parts if s]
