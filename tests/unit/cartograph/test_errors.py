"""The error catalogue is the single definition of every code: docs and source must agree."""

import re
from pathlib import Path

from cartograph.errors import CODES, CartographError, ConfigError

ROOT = Path(__file__).resolve().parents[3]
SOURCE_DIRS = ("api", "bench", "cartograph", "cypher", "extraction", "gnn", "graph", "testbeds")
LITERAL = re.compile(r"""["'](E\d{3})["']""")


def test_docs_list_exactly_the_catalogue() -> None:
    rows = re.findall(r"^\| (E\d{3}) \| (.+) \|$", (ROOT / "docs" / "errors.md").read_text(), re.M)
    assert dict(rows) == CODES


def test_every_code_in_the_source_is_catalogued() -> None:
    used: dict[str, str] = {}
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            for code in LITERAL.findall(path.read_text()):
                used.setdefault(code, str(path.relative_to(ROOT)))
    missing = {c: where for c, where in used.items() if c not in CODES}
    assert not missing, f"codes used but not in cartograph.errors.CODES: {missing}"
    assert len(used) > 50  # the scan found the codes (a broken regex would pass vacuously)


def test_codes_are_well_formed_and_ranged() -> None:
    assert all(re.fullmatch(r"E\d{3}", c) for c in CODES)
    assert str(ConfigError("x", code="E143")) == "[E143] x"
    assert CartographError("y").code in CODES
