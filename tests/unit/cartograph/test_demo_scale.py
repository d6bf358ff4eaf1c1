"""The demo past `small` trains with budgets, in keys the task specs' train blocks accept."""

from __future__ import annotations

import dataclasses

import pytest

from cartograph.pipeline import DemoConfig, scale_overrides
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
