"""A link task on a published train/test split (no valid part, a custom property name): the
report evaluates exactly the given test interactions with the train ones masked, and the served
model (refit on train+valid by default) keeps the test period out, so the test set can score it."""

import csv
from pathlib import Path

import numpy as np

from gnn.artefacts import load_artefact
from gnn.tasks import load_task
from gnn.tasks.runner import score_task, train_task
from graph.connection import Driver
from graph.records import NodeRecord, RelRecord
from graph.writer import GraphWriter, apply_schema

SPEC = """\
name: checkins
kind: link_prediction
source: Visitor
target: Venue
interaction: {relationship: VISITED}
labels: [Visitor, Venue]
relationships: [VISITED]
static_relationships: []
drop_labels: []
split: {kind: given, property: fold, valid_frac: 0.2}
models: [popularity, bpr-mf]
train: {max_epochs: 3, batch_size: 64, dim: 8}
"""


def _published_split(seed: int = 3) -> tuple[list[NodeRecord], list[RelRecord], dict[str, set]]:
    """40 visitors, 25 venues; each visit (one per pair: the writer merges a pair's
    relationships) is in the published train or test fold."""
    rng = np.random.default_rng(seed)
    nodes = [NodeRecord("Visitor", f"v{i}", {}) for i in range(40)]
    nodes += [NodeRecord("Venue", f"p{j}", {}) for j in range(25)]
    folds: dict[str, set] = {"train": set(), "test": set()}
    rels = []
    for k in range(400):
        u, i = f"v{rng.integers(40)}", f"p{min(rng.zipf(1.6), 25) - 1}"
        if (u, i) in folds["train"] | folds["test"]:
            continue
        fold = "test" if rng.random() < 0.25 else "train"
        folds[fold].add((u, i))
        props = {"fold": fold, "created_at": 1.7e9 + k}
        rels.append(RelRecord("VISITED", "Visitor", u, "Venue", i, props))
    return nodes, rels, folds


def test_a_given_split_link_task_scores_exactly_the_given_test_set(
    driver: Driver, tmp_path: Path
) -> None:
    nodes, rels, folds = _published_split()
    apply_schema(driver)
    writer = GraphWriter(driver, batch_size=500)
    writer.write_nodes(nodes)
    writer.write_relationships(rels)
    (tmp_path / "spec.yaml").write_text(SPEC)
    spec = load_task(tmp_path / "spec.yaml")
    run = train_task(driver, "neo4j", spec, 7, "cpu", tmp_path / "models")  # type: ignore[arg-type]

    split = run.report["split"]
    assert split["kind"].startswith("given, property 'fold'")
    assert split["interactions"]["test"] == sum(r.props["fold"] == "test" for r in rels)
    carved = split["valid_carved_from_train"]
    assert carved["seed"] == 7 and carved["interactions"] == split["interactions"]["valid"] > 0
    # Test targets: the given test pairs minus every train pair (train and the carved valid
    # are both history for the test fold, and masked).
    targets = folds["test"] - folds["train"]
    assert split["eval"]["test"]["targets"] == len(targets)
    assert split["eval"]["test"]["users"] == len({u for u, _ in targets})

    assert run.model_dir is not None
    art = load_artefact(run.model_dir)
    assert art.manifest["refit"] == "train+valid"  # the default: the test period stays out
    assert (
        art.manifest["config"]["trained_on_interactions"]
        == split["interactions"]["train"] + (split["interactions"]["valid"])
    )
    assert not (tmp_path / "models" / "checkins" / "checkpoints").exists() or not any(
        (tmp_path / "models" / "checkins" / "checkpoints").iterdir()
    )  # removed once the artefact is built

    out = tmp_path / "recs.csv"
    score_task(driver, "neo4j", run.model_dir, out, top=10, write=False)
    recs = {(r["source_key"], r["target_key"]) for r in csv.DictReader(out.open())}
    assert recs and not recs & folds["train"]  # train items are masked
    assert recs & targets  # test items are not: the published test set can score them
