"""The demo past `small` trains with budgets, in keys the task specs' train blocks accept."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cartograph.pipeline import DemoConfig, scale_overrides
from cartograph.report_md import render_markdown
from cartograph.settings import Settings
from extraction.pseudonymise import Pseudonymiser
from gnn import classify_spec
from gnn.tasks import load_task
from gnn.train import TrainConfig


def test_small_keeps_the_presets_training() -> None:
    assert scale_overrides("small") == {}


@pytest.mark.parametrize("scale", ["medium", "large"])
def test_larger_scales_bound_every_fit_of_both_tasks(scale: str) -> None:
    overrides = scale_overrides(scale)
    assert set(overrides) == {"recommend", "fraud"}
    link = load_task("recommend").train
    node = load_task("fraud").train
    assert isinstance(link, TrainConfig) and isinstance(node, classify_spec.TrainConfig)
    # the very call the runners make: an unknown key would raise here
    rec = dataclasses.replace(link, **overrides["recommend"]["train"])
    fraud = dataclasses.replace(node, **overrides["fraud"]["train"])
    assert rec.time_budget_s and fraud.time_budget_s and rec.eval_every > 1
    overrides["recommend"]["train"]["batch_size"] = 1  # a copy: the table is not mutated
    assert scale_overrides(scale)["recommend"]["train"]["batch_size"] > 1


def test_the_settings_scale_reaches_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTOGRAPH_SCALE", "medium")
    cfg = DemoConfig.from_settings(Settings(), Pseudonymiser(b"x" * 32))
    assert cfg.scale == "medium" and cfg.task_overrides == scale_overrides("medium")


def test_the_report_says_the_training_was_bounded() -> None:
    report: dict[str, Any] = {
        "seed": 7,
        "data": {"name": "marketplace", "scale": "medium"},
        "neo4j": {"uri": "bolt://127.0.0.1:7687", "browser": None},
        "counts": {"nodes": {"User": 1}, "relationships": {"PLACED": 1}},
        "versions": {},
    }
    assert "Training beyond" not in render_markdown(report, "RETURN 1")
    report["task_overrides"] = {**scale_overrides("medium"), "other": {"truth_dir": "x"}}
    md = render_markdown(report, "RETURN 1")
    assert "recommend: `time_budget_s` 60.0, `batch_size` 8192" in md
    assert "fraud: `time_budget_s` 60.0" in md and "truth_dir" not in md
