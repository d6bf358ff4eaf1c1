"""A task spec error is a coded line from the CLI, raised before any Neo4j connection."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cartograph.cli import app


def test_train_with_unknown_train_key_exits_1_with_e144(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: x\nkind: node_classification\nlabel: Person\nlabel_property: risky\n"
        "train: {dimm: 32}\n"
    )

    def no_neo4j(*args: object, **kwargs: object) -> None:
        raise AssertionError("the spec must be checked before Neo4j is resolved")

    monkeypatch.setattr("cartograph.runtime.resolve_target", no_neo4j)
    monkeypatch.setattr("cartograph.jobs.resolve_target", no_neo4j)
    result = CliRunner().invoke(app, ["train", "--task", str(spec)], env={"COLUMNS": "400"})
    assert result.exit_code == 1
    assert "[E144]" in result.output and "unknown key 'dimm'" in result.output
    assert "valid: amp, dim, dropout" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("models", "args", "code", "text"),
    [
        ("[lightgbm, nonexistent-model]", [], "[E146]", "unknown model 'nonexistent-model'"),
        ("[logreg]", ["--seeds", "0"], "[E147]", "--seeds 0"),
    ],
)
def test_bad_models_and_seeds_exit_1_before_neo4j(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models: str, args: list[str], code: str,
    text: str,
) -> None:  # fmt: skip
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"name: x\nkind: node_classification\nlabel: Person\nlabel_property: risky\n"
        f"models: {models}\n"
    )

    def no_neo4j(*a: object, **k: object) -> None:
        raise AssertionError("the spec must be checked before Neo4j is resolved")

    monkeypatch.setattr("cartograph.jobs.resolve_target", no_neo4j)
    result = CliRunner().invoke(app, ["train", "--task", str(spec), *args], env={"COLUMNS": "400"})
    assert result.exit_code == 1 and code in result.output and text in result.output
    assert "Traceback" not in result.output


def test_seeds_for_a_link_task_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cartograph.jobs.resolve_target", lambda *a, **k: None)
    result = CliRunner().invoke(app, ["train", "--task", "recommend", "--seeds", "3"])
    assert result.exit_code == 1 and "[E147]" in result.output
