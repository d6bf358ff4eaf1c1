"""The graph fingerprint saved with every model, and what counts as another graph."""

from __future__ import annotations

import stat
from pathlib import Path

import torch

from gnn.artefacts import Artefact, save_artefact
from gnn.fingerprint import SAMPLE_SIZE, fingerprint, mismatches, task_fingerprint
from gnn.tasks import load_task
from graph.fingerprint import GraphFacts

SCHEMA = {
    "node_types": ["Order", "Product", "RiskHigh", "User"],
    "edge_types": [
        "User-PLACED-Order",
        "Order-rev_PLACED-User",
        "Order-CONTAINS-Product",
        "User-RECOMMENDED-Product",
    ],
}
USERS = [f"shop:U{i}" for i in range(1000)]
KEYS = {"User": USERS, "Product": ["shop:P1", "shop:P2"]}


def _facts(users: list[str], **over: object) -> GraphFacts:
    base: dict[str, object] = {
        "labels": frozenset({"User", "Order", "Product"}),
        "types": frozenset({"PLACED", "CONTAINS"}),
        "properties": frozenset({"key", "created_at"}),
        "nodes": {"User": len(users), "Product": 2},
        "found": {"User": 0, "Product": 2},
    }
    base.update(over)
    fp = fingerprint(KEYS, SCHEMA, properties=["created_at"])
    sample = set(fp["key_space"]["User"]["sample"])
    found = dict(base["found"])  # type: ignore[call-overload]
    found["User"] = len(sample & set(users))
    base["found"] = found
    return GraphFacts(**base)  # type: ignore[arg-type]


def test_fingerprint_is_deterministic_and_leaves_out_what_scoring_writes() -> None:
    fp = fingerprint(KEYS, SCHEMA, properties=["created_at"])
    assert fp == fingerprint(
        {k: v[::-1] for k, v in KEYS.items()}, SCHEMA, properties=["created_at"]
    )
    assert fp["labels"] == ["Order", "Product", "User"]  # RiskHigh is written back by scoring
    assert fp["relationship_types"] == ["CONTAINS", "PLACED"]  # no rev_, no RECOMMENDED
    assert fp["properties"] == ["created_at", "key"]
    users = fp["key_space"]["User"]
    assert users["count"] == 1000 and len(users["sample"]) == SAMPLE_SIZE
    assert set(users["sample"]) <= set(USERS)
    other = fingerprint({"User": [*USERS[:-1], "shop:U-other"]}, SCHEMA)
    assert other["key_space"]["User"]["sha256"] != users["sha256"]


def test_the_same_graph_grown_since_training_matches() -> None:
    print_ = fingerprint(KEYS, SCHEMA, properties=["created_at"])
    grown = USERS + [f"shop:U{i}" for i in range(1000, 5000)]
    assert mismatches(print_, _facts(grown)) == []
    # a few deleted accounts are tolerated (under MIN_FOUND of the sample missing)
    assert mismatches(print_, _facts(USERS[50:])) == []


def test_another_graph_is_named_by_what_differs() -> None:
    print_ = fingerprint(KEYS, SCHEMA, properties=["created_at"])
    other = [f"other:U{i}" for i in range(1000)]
    [problem] = mismatches(print_, _facts(other))
    assert f"0 of {SAMPLE_SIZE} sampled User keys" in problem and "holds 1000" in problem
    facts = _facts(USERS, labels=frozenset({"User"}), types=frozenset(), properties=frozenset())
    text = " ".join(mismatches(print_, facts))
    assert "Order, Product" in text and "CONTAINS, PLACED" in text and "created_at, key" in text


def test_task_fingerprint_names_the_properties_the_spec_reads() -> None:
    fraud = load_task("fraud")
    fp = task_fingerprint({"Order": ["o1"]}, SCHEMA, fraud)
    assert fraud.label_property in fp["properties"]
    assert fraud.split.time_property in fp["properties"]


def test_artefact_files_are_private(tmp_path: Path) -> None:
    art = Artefact("recommend", "m", {"x": 1}, {"t": torch.zeros(2)}, {"User": ["u1", "u2"]})
    final = save_artefact(tmp_path / "models", art)
    assert stat.S_IMODE(final.stat().st_mode) == 0o700
    assert stat.S_IMODE(final.parent.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in final.iterdir()}
    assert modes and set(modes.values()) == {0o600}
