"""DDP training (``gnn/distributed.py``) matches single-process ``fit_bpr``.

The documented command is run as written, ``torchrun --standalone`` with two CPU processes on the
gloo backend (torchrun picks a free loopback port), and its curve and embeddings are compared
with ``fit_bpr`` on the same seed and global batch. An odd batch size makes the two ranks'
shards unequal, which is the case a naive "mean per rank" gradient gets wrong.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
import torch.distributed as dist

from gnn.device import seed_everything
from gnn.distributed import build, fit_bpr_ddp, toy_problem, train_toy
from gnn.train import TrainConfig, TrainResult, fit_bpr

TORCHRUN = Path(sys.executable).parent / "torchrun"
EPOCHS, BATCH, SEED = 3, 255, 0


@pytest.mark.slow
def test_two_gloo_processes_match_single_process(tmp_path: Path) -> None:
    cmd = [
        str(TORCHRUN), "--standalone", "--nproc_per_node=2", "-m", "gnn.distributed",
        "--model", "lightgcn", "--epochs", str(EPOCHS), "--batch-size", str(BATCH),
        "--seed", str(SEED), "--out", str(tmp_path),
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=150, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((tmp_path / "curve.json").read_text())
    assert report["world_size"] == 2

    model, single = train_toy("lightgcn", SEED, EPOCHS, TrainConfig(batch_size=BATCH))
    losses = [row["loss"] for row in report["curve"]]
    assert losses == pytest.approx([row["loss"] for row in single.curve], abs=1e-5)
    assert losses[-1] < losses[0]  # it trained
    with torch.no_grad():
        users, items = model(toy_problem(SEED)[0])
    saved = torch.load(tmp_path / "emb.pt", weights_only=True)
    torch.testing.assert_close(saved["users"], users, atol=1e-4, rtol=0)
    torch.testing.assert_close(saved["items"], items, atol=1e-4, rtol=0)
    seed_everything(SEED)  # the initial weights both runs started from: training moved them
    initial = build("lightgcn", users.shape[0], items.shape[0], 16)(toy_problem(SEED)[0])[0]
    assert (initial - users).abs().max() > 1e-3


def test_without_torchrun_it_is_plain_fit_bpr() -> None:
    """No process group: the entry point trains in one process, curve as ``fit_bpr`` gives it."""
    _, result = train_toy("mf", SEED, 2, TrainConfig(batch_size=64))
    assert [row["epoch"] for row in result.curve] == [1, 2]
    assert result.curve[1]["loss"] < result.curve[0]["loss"]


def test_unknown_model_is_named() -> None:
    with pytest.raises(ValueError, match="unknown model 'gat'"):
        build("gat", 3, 3, 4)


def test_early_stopping_in_a_process_group_matches_fit_bpr(tmp_path: Path) -> None:
    """The early-stopping path (valid score broadcast from rank 0, best weights restored) gives
    ``fit_bpr``'s curve, best epoch and weights; one gloo rank in this process keeps it fast."""
    graph, positives, num_users, num_items = toy_problem(SEED)
    cfg = TrainConfig(batch_size=128, max_epochs=12, patience=2)

    def run(fit: Callable[..., TrainResult]) -> tuple[TrainResult, torch.Tensor]:
        gen = seed_everything(SEED)
        model = build("mf", num_users, num_items, 16)

        def agreement() -> float:  # a deterministic stand-in for valid recall
            with torch.no_grad():
                u, i = model(graph)
                share = ((u[positives[0]] * i[positives[1]]).sum(-1) > 0.05).float().mean()
                return round(float(share), 1)  # coarse, so it plateaus and patience runs out

        result = fit(model, graph, positives, num_items, cfg, gen, agreement)
        return result, model(graph)[0].detach()

    single, single_users = run(fit_bpr)
    dist.init_process_group(
        "gloo", store=dist.FileStore(str(tmp_path / "store"), 1), rank=0, world_size=1
    )
    try:
        ddp, ddp_users = run(fit_bpr_ddp)
    finally:
        dist.destroy_process_group()
    assert [r["loss"] for r in ddp.curve] == pytest.approx([r["loss"] for r in single.curve])
    assert [r["valid_recall@20"] for r in ddp.curve] == [r["valid_recall@20"] for r in single.curve]
    assert ddp.best_epoch == single.best_epoch
    assert len(single.curve) < cfg.max_epochs  # it did stop early: the path under test ran
    torch.testing.assert_close(ddp_users, single_users, atol=1e-6, rtol=0)
