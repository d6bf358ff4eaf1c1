"""The shared epoch loop: evaluation cadence, patience in evaluations, ``min_epochs``, the time
budget, several negatives, resolved settings and a checkpoint that resumes a killed fit."""

import time
from pathlib import Path

import pytest
import torch

from gnn.device import seed_everything
from gnn.distributed import build, toy_problem
from gnn.train import Checkpoint, TrainConfig, bpr_loss, fit_bpr

SEED = 5


def _fit(cfg: TrainConfig, scores: list[float] | None = None, **kw):  # type: ignore[no-untyped-def]
    graph, positives, num_users, num_items = toy_problem(SEED)
    gen = seed_everything(SEED)
    model = build("mf", num_users, num_items, 8)
    it = iter(scores) if scores is not None else None
    evaluate = (lambda: next(it)) if it is not None else None
    return fit_bpr(model, graph, positives, num_items, cfg, gen, evaluate, **kw), model


def test_patience_counts_evaluations_not_epochs() -> None:
    cfg = TrainConfig(batch_size=256, max_epochs=30, patience=2, eval_every=3)
    result, _ = _fit(cfg, [0.5, 0.4, 0.4, 0.4])
    scored = [r["epoch"] for r in result.curve if "valid_recall@20" in r]
    assert scored == [3, 6, 9] and result.epochs_run == 9 and result.best_epoch == 3
    assert result.stopped == "patience"


def test_min_epochs_outlasts_an_early_dip() -> None:
    dip = [0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    result, _ = _fit(TrainConfig(batch_size=256, max_epochs=30, patience=1), dip)
    assert result.epochs_run == 2
    result, _ = _fit(TrainConfig(batch_size=256, max_epochs=30, patience=1, min_epochs=6), dip)
    assert result.epochs_run == 6 and result.best_epoch == 1


def test_time_budget_stops_after_a_final_evaluation() -> None:
    cfg = TrainConfig(batch_size=256, max_epochs=1000, patience=1000, eval_every=50,
                      time_budget_s=0.3)  # fmt: skip
    t0 = time.perf_counter()
    result, _ = _fit(cfg, [float(k) for k in range(1000)])
    assert result.stopped == "time budget" and result.epochs_run < 1000
    assert "valid_recall@20" in result.curve[-1]  # the last epoch was scored before stopping
    assert time.perf_counter() - t0 < 30


def test_several_negatives_average_the_pairwise_loss() -> None:
    u, p, n = torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 5, 3)
    each = torch.stack([bpr_loss(u, p, n[:, k]) for k in range(5)]).mean()
    torch.testing.assert_close(bpr_loss(u, p, n), each)
    result, _ = _fit(TrainConfig(batch_size=256, negatives=4), epochs=2)
    assert len(result.curve) == 2 and result.curve[1]["loss"] < result.curve[0]["loss"]


def test_a_set_value_beats_the_models_tuned_one() -> None:
    assert TrainConfig(lr=0.02).resolved({"lr": 0.003, "emb_reg": 0.03}).lr == 0.02
    filled = TrainConfig().resolved({"lr": 0.003})
    assert filled.lr == 0.003 and filled.emb_reg == 1e-4


class _Killed(Exception):
    pass


def test_a_killed_fit_resumes_from_its_last_evaluation(tmp_path: Path) -> None:
    cfg = TrainConfig(batch_size=128, max_epochs=8, patience=100, eval_every=2)
    scores = [0.1, 0.3, 0.2, 0.4]
    whole, whole_model = _fit(cfg, scores)

    ckpt = Checkpoint(tmp_path / "mf.pt", "mf-test")

    def killed_at_third() -> list[float]:  # the third evaluation (epoch 6) never returns
        return [0.1, 0.3]

    graph, positives, num_users, num_items = toy_problem(SEED)
    gen = seed_everything(SEED)
    model = build("mf", num_users, num_items, 8)
    first = iter(killed_at_third())

    def evaluate() -> float:
        try:
            return next(first)
        except StopIteration:
            raise _Killed from None

    with pytest.raises(_Killed):
        fit_bpr(model, graph, positives, num_items, cfg, gen, evaluate, checkpoint=ckpt)
    resumed, resumed_model = _fit(cfg, scores[2:], checkpoint=ckpt)
    assert resumed.resumed_at == 4
    assert [r["loss"] for r in resumed.curve] == [r["loss"] for r in whole.curve]
    assert resumed.best_epoch == whole.best_epoch == 8
    torch.testing.assert_close(resumed_model(graph)[0], whole_model(graph)[0])
    # a finished fit is read back, not retrained; another signature is not resumed from
    again, _ = _fit(cfg, [], checkpoint=ckpt)
    assert again.curve == resumed.curve
    other, _ = _fit(cfg, scores, checkpoint=Checkpoint(tmp_path / "mf.pt", "other"))
    assert other.resumed_at == 0


def test_the_progress_bar_shows_the_last_valid_metric_and_the_best() -> None:
    from gnn.early_stop import EarlyStopping
    from gnn.train_loop import TrainResult, _Loop, _postfix

    loop = _Loop(TrainResult(), EarlyStopping(3))
    loop.result.curve = [
        {"epoch": 1, "loss": 0.5, "valid_recall@20": 0.25},
        {"epoch": 2, "loss": 0.4},
    ]
    loop.stopper.best, loop.stopper.best_epoch = 0.25, 1
    assert _postfix(loop, "recall@20") == {
        "loss": "0.4000",
        "recall@20": "0.2500",
        "best": "0.2500@1",
    }
