"""Score CSVs keep every bit of the score: a rounded file ties scores the model kept apart."""

import csv
from pathlib import Path
from typing import Any

import torch

from gnn.artefacts import Artefact
from gnn.tasks import TaskSpec
from gnn.tasks.write_back import write_scores


def test_node_scores_are_written_at_full_precision(tmp_path: Path) -> None:
    spec = TaskSpec(name="t", kind="node_classification", label="Account", label_property="bad")
    scores = torch.tensor([0.1234567, 0.1234568, 1e-9], dtype=torch.float32)
    art = Artefact("t", "m", {"label": "Account"}, {"scores": scores}, {"Account": ["a", "b", "c"]})
    out = tmp_path / "scores.csv"
    driver: Any = None  # write=False: Neo4j is not touched
    rows, _ = write_scores(driver, "neo4j", spec, art, out, None, write=False)
    read = list(csv.DictReader(out.open()))
    assert rows == 3 and [float(r["score"]) for r in read] == scores.tolist()
    assert len({r["score"] for r in read}) == 3  # 6 decimals would tie the first two
