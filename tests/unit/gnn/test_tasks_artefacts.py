"""Task specs (YAML → validated spec) and model artefacts (atomic save, verified load)."""

from pathlib import Path

import pytest
import torch

from cartograph.errors import ConfigError
from gnn.artefacts import (
    Artefact,
    ArtefactError,
    check_schema,
    load_artefact,
    resolve,
    save_artefact,
)
from gnn.score import top_k
from gnn.tasks import load_task, preset_names


def test_presets_load_and_describe_both_kinds() -> None:
    assert {"recommend", "fraud"} <= set(preset_names())
    rec, fraud = load_task("recommend"), load_task("fraud")
    assert (
        rec.kind == "link_prediction"
        and rec.interaction
        and rec.interaction.via
        == (
            "PLACED",
            "CONTAINS",
        )
    )
    assert fraud.kind == "node_classification" and fraud.split.label_delay_days > 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("name: x\nkind: link_prediction\nsource: User\ntarget: Movie\n", "interaction"),
        ("name: x\nkind: node_classification\nlabel: User\n", "label_property"),
        (
            "name: x\nkind: link_prediction\nsource: 'Us er'\ntarget: M\n"
            "interaction: {relationship: RATED}\n",
            "source",
        ),
        (
            "name: x\nkind: link_prediction\nsource: U\ntarget: M\n"
            "interaction: {relationship: 'R`) DETACH DELETE n //'}\n",
            "relationship",
        ),
        ("name: x\nkind: regression\n", "kind"),
        (
            "name: x\nkind: link_prediction\nsource: U\ntarget: M\n"
            "interaction: {relationship: R}\nsplit: {valid_frac: 0.9}\n",
            "split.valid_frac",
        ),
    ],
)
def test_bad_specs_are_rejected_naming_the_field(tmp_path: Path, body: str, field: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError) as err:
        load_task(path)
    assert str(path) in str(err.value)
    assert field.split(".")[0] in str(err.value) or "relationship" in str(err.value)


def test_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="recommend"):
        load_task("no_such_task")


def _artefact() -> Artefact:
    return Artefact(
        task="recommend",
        model="bpr-mf",
        manifest={
            "schema": {"node_types": ["Product", "User"], "edge_types": ["User-BOUGHT-Product"]}
        },
        tensors={"source_emb": torch.randn(3, 4), "target_emb": torch.randn(5, 4)},
        keys={"User": ["u1", "u2", "u3"], "Product": ["p1", "p2", "p3", "p4", "p5"]},
        weights={"w": torch.ones(2, 2)},
    )


def test_artefact_round_trip_and_latest(tmp_path: Path) -> None:
    art = _artefact()
    first = save_artefact(tmp_path, art)
    second = save_artefact(tmp_path, _artefact())
    assert resolve(tmp_path, "recommend") == second.resolve() != first.resolve()
    loaded = load_artefact(resolve(tmp_path, "recommend"))
    assert loaded.model == "bpr-mf" and loaded.keys["User"] == ["u1", "u2", "u3"]
    assert loaded.weights is not None and torch.equal(loaded.weights["w"], torch.ones(2, 2))
    assert loaded.version.startswith("recommend/")
    assert not list(tmp_path.glob("recommend/.*.tmp"))


def test_truncated_or_missing_artefacts_fail_clearly(tmp_path: Path) -> None:
    model_dir = save_artefact(tmp_path, _artefact())
    weights = model_dir / "weights.pt"
    weights.write_bytes(weights.read_bytes()[:20])
    with pytest.raises(ArtefactError, match="checksum"):
        load_artefact(model_dir)
    with pytest.raises(ArtefactError, match="no trained model"):
        resolve(tmp_path, "fraud")
    (model_dir / "manifest.json").write_text("{not json")
    with pytest.raises(ArtefactError, match="truncated"):
        load_artefact(model_dir)


def test_artefact_for_another_schema_is_refused(tmp_path: Path) -> None:
    loaded = load_artefact(save_artefact(tmp_path, _artefact()))
    check_schema(loaded, ["Product", "User"], [("User", "BOUGHT", "Product")])
    with pytest.raises(ArtefactError, match="another schema"):
        check_schema(loaded, ["Movie", "User"], [("User", "RATED", "Movie")])


def test_failed_write_promotes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "models"
    save_artefact(root, _artefact())
    before = resolve(root, "recommend")
    real_save = torch.save

    def disk_full(obj: object, f: Path) -> None:
        if Path(f).name == "weights.pt":
            raise OSError(28, "No space left on device")
        real_save(obj, f)

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(ArtefactError, match="No space left"):
        save_artefact(root, _artefact())
    assert resolve(root, "recommend") == before
    assert not list((root / "recommend").glob(".*.tmp"))  # the half-written folder is gone


def test_top_k_masks_history_and_orders_scores() -> None:
    users = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    items = torch.tensor([[3.0, 0.0], [2.0, 0.5], [0.0, 5.0], [1.0, 1.0]])
    history = torch.tensor([[0, 1], [0, 2]])  # user 0 bought item 0; user 1 bought item 2
    scores, idx = top_k(users, items, history, k=2)
    assert idx[0].tolist() == [1, 3] and idx[1].tolist() == [3, 1]
    assert torch.all(scores[:, 0] >= scores[:, 1])
