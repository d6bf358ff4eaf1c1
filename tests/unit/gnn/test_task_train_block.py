"""The typed ``train:`` block, the runner registry and the one top-k ranking rule."""

from pathlib import Path

import pytest
import torch

from cartograph.errors import ConfigError
from gnn import classify_spec
from gnn import train as bpr
from gnn.score import rank
from gnn.tasks import load_task

NODE = "name: x\nkind: node_classification\nlabel: Person\nlabel_property: risky\n"
LINK = "name: x\nkind: link_prediction\nsource: U\ntarget: M\ninteraction: {relationship: R}\n"


def _spec(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(body)
    return path


def test_unknown_train_key_is_e144_listing_the_valid_keys(tmp_path: Path) -> None:
    path = _spec(tmp_path, NODE + "train: {dimm: 32}\n")
    with pytest.raises(ConfigError) as err:
        load_task(path)
    assert err.value.code == "E144"
    valid = "amp, dim, dropout, lr, max_epochs, num_layers, patience, pos_weight, time_budget_s, "
    valid += "weight_decay"
    assert str(err.value) == (
        f"[E144] task spec {path}: train: unknown key 'dimm' (valid: {valid})"
    )


def test_link_train_keys_are_the_bpr_config(tmp_path: Path) -> None:
    valid = r"unknown key 'dimm' \(valid: amp, batch_size, dim,"
    with pytest.raises(ConfigError, match=valid) as err:
        load_task(_spec(tmp_path, LINK + "train: {dimm: 32}\n"))
    assert err.value.code == "E144"


def test_link_train_dim_and_lr_reach_the_models(tmp_path: Path) -> None:
    """``train: {dim, lr}`` is what every trained model gets: no built-in replaces a set value."""
    from gnn.recommend import MODEL_TRAIN, model_dim, train_config
    from gnn.tasks.link import recommend_config

    spec = load_task(_spec(tmp_path, LINK + "train: {dim: 128, lr: 0.02}\n"))
    cfg = recommend_config(spec)
    assert model_dim(cfg) == 128
    for name in ("bpr-mf", "lightgcn", "kg-lightgcn", "hetero-sage"):
        assert train_config(name, cfg).lr == 0.02
    # unset values take the model's tuned one, which differs per model
    assert train_config("bpr-mf", cfg).emb_reg == MODEL_TRAIN["bpr-mf"]["emb_reg"] == 0.03
    assert recommend_config(load_task(_spec(tmp_path, LINK))).train.dim is None


def test_out_of_range_train_values_are_coded_errors(tmp_path: Path) -> None:
    for body in ("{batch_size: 0}", "{negatives: 0}", "{time_budget_s: -1}", "{eval_every: 0}"):
        with pytest.raises(ConfigError, match=r"field train: ") as err:
            load_task(_spec(tmp_path, LINK + f"train: {body}\n"))
        assert err.value.code == "E143"


def test_refit_and_ablations_are_link_only_and_checked(tmp_path: Path) -> None:
    spec = load_task(_spec(tmp_path, LINK + "refit: train\nablations: [content]\n"))
    assert spec.refit == "train" and spec.ablations == ("content",)
    with pytest.raises(ConfigError, match="refit") as err:
        load_task(_spec(tmp_path, LINK + "refit: everything\n"))
    assert err.value.code == "E143"
    with pytest.raises(ConfigError, match="link_prediction tasks only"):
        load_task(_spec(tmp_path, NODE + "refit: all\n"))


def test_train_block_becomes_the_trainer_config_with_identical_defaults(tmp_path: Path) -> None:
    node = load_task(_spec(tmp_path, NODE))
    assert node.train == classify_spec.TrainConfig()
    link = load_task(_spec(tmp_path, LINK + "train: {max_epochs: 3}\n"))
    assert link.train == bpr.TrainConfig(max_epochs=3)
    assert load_task("movielens").train == bpr.TrainConfig(
        batch_size=16_384, max_epochs=200, patience=10
    )


def test_wrong_type_in_train_is_e143_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"field train: dim:") as err:
        load_task(_spec(tmp_path, NODE + "train: {dim: abc}\n"))
    assert err.value.code == "E143"


def test_runners_default_by_kind_and_fraud_names_its_own() -> None:
    assert load_task("recommend").runner_name == "link"
    assert load_task("fraud").runner_name == "marketplace_fraud"


def test_unknown_runner_is_e145_listing_registered_names(tmp_path: Path) -> None:
    from gnn.tasks.runner import get_runner

    spec = load_task(_spec(tmp_path, NODE + "runner: fraud_v2\n"))
    with pytest.raises(ConfigError, match="link, marketplace_fraud, node") as err:
        get_runner(spec)
    assert err.value.code == "E145"
    with pytest.raises(ConfigError, match="runs link_prediction"):
        get_runner(load_task(_spec(tmp_path, NODE + "runner: link\n")))


def test_rank_orders_by_score_then_lower_index() -> None:
    scores = torch.tensor([[0.5, 0.9, 0.5, 0.9, -torch.inf, 0.1]])
    values, order = rank(scores, 5)
    assert order[0].tolist() == [1, 3, 0, 2, 5]
    assert values[0].tolist() == pytest.approx([0.9, 0.9, 0.5, 0.5, 0.1])
