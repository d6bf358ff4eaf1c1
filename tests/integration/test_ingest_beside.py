"""Text extraction in a process of its own beside the cleaning gives the same records as in
line (entity resolution after it, on the title vectors it encoded), and a run stopped by its
rejects ends that process (real spaCy and MiniLM, no Neo4j)."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cartograph.errors import CartographError, TooManyRejectsError
from extraction.enrich import entity_resolution, text_extraction
from extraction.ingest import BESIDE_MIN_BYTES, Beside, beside_cleaning, ingest
from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser

MAPPING = Path(__file__).resolve().parents[2] / "extraction" / "mappings" / "marketplace.yaml"


def test_beside_and_in_line_give_the_same_records(marketplace_data: Path, tmp_path: Path) -> None:
    mapping = load_mapping(MAPPING, marketplace_data)
    pseudo = Pseudonymiser(b"beside-test-secret-0123456789abcdef")
    enrichers = {
        "text_extraction": text_extraction(marketplace_data, 7),
        "entity_resolution": entity_resolution(),
    }
    size = sum(s.path.stat().st_size for s in mapping.sources.values())
    assert size < BESIDE_MIN_BYTES and beside_cleaning(enrichers, mapping) == {}  # small: in line
    runs = {}
    for choice in (False, True):
        runs[choice] = ingest(
            mapping, pseudo, tmp_path / f"rejects-{choice}.csv", enrichers,
            beside_cleaning_default=choice,
        )  # fmt: skip
    inline, beside = runs[False], runs[True]
    assert beside.enrichment["text_extraction"]["ran"] == "beside cleaning (own process)"
    assert "text_extraction_wait_s" in beside.timings
    assert (
        inline.enrichment["text_extraction"]["facts"]
        == (beside.enrichment["text_extraction"]["facts"])
    )
    assert inline.enrichment["text_extraction"]["facts"]  # text extraction did find facts
    assert inline.nodes == beside.nodes and inline.rels == beside.rels
    # every catalogue title was encoded once, by the text stage, and matching reused it
    titled = [n for n in inline.nodes if n.label == "Product" and n.props.get("title")]
    assert titled and all(len(n.props["embedding"]) == 384 for n in titled)
    er = inline.enrichment["entity_resolution"]
    assert er["title_vectors_reused"] == len(titled) and er["product_embeddings"] == 0
    assert er["product_links"] > 0


def test_a_failed_run_ends_the_process_beside(marketplace_data: Path, tmp_path: Path) -> None:
    mapping = load_mapping(MAPPING, marketplace_data)
    enrichers = {"text_extraction": text_extraction(marketplace_data, 7)}
    beside = Beside(enrichers)
    with pytest.raises(TooManyRejectsError), beside:
        raise TooManyRejectsError("stopped before enrichment")
    assert beside.pool is not None
    workers = list(beside.pool._pool)  # the worker processes the pool held
    assert workers and not any(w.is_alive() for w in workers)
    assert beside_cleaning(enrichers, mapping, False) == {}


@dataclass(frozen=True)
class _Dies:
    """An enricher whose process is killed (as the OOM killer would) or that raises."""

    how: str
    needs_records: ClassVar[bool] = False

    def __call__(self, _: Any = None) -> Any:
        if self.how == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        raise ValueError("bad text file")


def test_a_dead_or_failing_process_beside_is_an_error_not_a_hang() -> None:
    with Beside({"text": _Dies("killed")}) as beside, pytest.raises(CartographError) as err:
        beside.result("text")
    assert err.value.code == "E420" and "exit code -9" in str(err.value)
    with Beside({"text": _Dies("raises")}) as beside, pytest.raises(ValueError, match="bad text"):
        beside.result("text")
