"""The epoch loop every BPR trainer shares: validation cadence, early stopping that counts
evaluations, a wall-clock budget, a progress bar and checkpoints that let a killed run resume.

Split from ``gnn.train`` so the DDP twin (``gnn.distributed``) runs the very same loop and
differs only in how one epoch is computed and how ranks agree on a number.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from tqdm import tqdm

from cartograph.private import make_private, private_dir
from gnn.early_stop import EarlyStopping

if TYPE_CHECKING:
    from gnn.train import TrainConfig


@dataclass
class TrainResult:
    """Per-epoch curve, chosen epoch and timing; ``best_epoch`` counts from 1.

    ``stopped`` says why the loop ended: ``patience``, ``time budget``, ``max epochs`` or
    ``fixed epochs`` (a refit); ``resumed_at`` is the epoch a checkpoint restored (0: none)."""

    curve: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int = 0
    best_valid: float = float("nan")
    seconds_per_epoch: float = 0.0
    epochs_run: int = 0
    wall_seconds: float = 0.0
    stopped: str = ""
    resumed_at: int = 0


@dataclass
class Checkpoint:
    """Where one fit saves its state after each evaluation, and what it must match to resume.

    ``signature`` is anything that identifies the fit (model, config, data hash, seed): a
    checkpoint written under another signature is ignored, never resumed from."""

    path: Path
    signature: str

    def save(self, state: dict[str, Any]) -> None:
        """Write atomically (temp file, then rename): a kill mid-write leaves the old one."""
        private_dir(self.path.parent)  # model state of real customers' data: 0700 / 0600
        tmp = self.path.with_suffix(".tmp")
        torch.save({"signature": self.signature, **state}, tmp)
        make_private(tmp)
        os.replace(tmp, self.path)

    def load(self) -> dict[str, Any] | None:
        """The saved state if it exists and has this signature, else ``None``."""
        if not self.path.exists():
            return None
        state: dict[str, Any] = torch.load(self.path, map_location="cpu", weights_only=True)
        return state if state.get("signature") == self.signature else None


@dataclass
class _Loop:
    """The mutable state a checkpoint captures."""

    result: TrainResult
    stopper: EarlyStopping
    train_s: float = 0.0
    elapsed_before: float = 0.0  # wall seconds of earlier (interrupted) sessions


def run_epochs(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    gen: torch.Generator,
    cfg: TrainConfig,
    step: Callable[[], float],
    evaluate: Callable[[], float] | None,
    epochs: int | None,
    metric: str,
    agree: Callable[[float], float] = float,
    checkpoint: Checkpoint | None = None,
    label: str = "",
) -> TrainResult:
    """Run ``step`` (one epoch, returns its mean loss) until a stop rule fires.

    With ``evaluate`` and no ``epochs``: validate every ``cfg.eval_every`` epochs (and at the
    last one), stop after ``cfg.patience`` evaluations without gain but not before
    ``cfg.min_epochs``, restore the best weights. With ``epochs``: exactly that many (a refit).
    ``cfg.time_budget_s`` ends either early, after a final evaluation. ``agree`` makes ranks of
    a process group use one value (rank 0's elapsed time)."""
    early = evaluate is not None and epochs is None
    total = epochs or cfg.max_epochs
    loop = _Loop(TrainResult(), EarlyStopping(cfg.patience, cfg.min_epochs))
    saved = checkpoint.load() if checkpoint is not None else None
    if saved is not None:
        _restore(saved, model, opt, gen, loop)
        if saved["done"]:
            return loop.result
    start = time.perf_counter()
    first = loop.result.epochs_run + 1
    bar = tqdm(range(first, total + 1), desc=label or "train", total=total, initial=first - 1,
               unit="epoch", disable=None, leave=False, dynamic_ncols=True)  # fmt: skip
    for epoch in bar:
        t0 = time.perf_counter()
        loss = step()
        loop.train_s += time.perf_counter() - t0
        row: dict[str, Any] = {"epoch": epoch, "loss": round(loss, 6)}
        elapsed = agree(loop.elapsed_before + time.perf_counter() - start)
        out_of_time = cfg.time_budget_s is not None and elapsed >= cfg.time_budget_s
        due = epoch % cfg.eval_every == 0 or epoch == total or out_of_time
        if early and due:
            assert evaluate is not None
            row[f"valid_{metric}"] = score = evaluate()
            loop.stopper.update(epoch, score, model)
        loop.result.curve.append(row)
        loop.result.epochs_run = epoch
        bar.set_postfix(_postfix(loop, metric), refresh=False)
        if checkpoint is not None and due:
            now = loop.elapsed_before + time.perf_counter() - start
            checkpoint.save(_state(model, opt, gen, loop, now, done=False))
        if out_of_time:
            loop.result.stopped = "time budget"
            break
        if early and loop.stopper.should_stop:
            loop.result.stopped = "patience"
            break
    bar.close()
    if not loop.result.stopped:
        loop.result.stopped = "max epochs" if early else "fixed epochs"
    loop.result.wall_seconds = round(loop.elapsed_before + time.perf_counter() - start, 3)
    finish(loop.result, loop.stopper, model, loop.train_s)
    if checkpoint is not None:
        checkpoint.save(_state(model, opt, gen, loop, loop.result.wall_seconds, done=True))
    return loop.result


def _postfix(loop: _Loop, metric: str) -> dict[str, str]:
    """Loss of the last epoch and the last valid score, for the progress bar."""
    curve = loop.result.curve
    out = {"loss": f"{curve[-1]['loss']:.4f}"}
    scored = [r for r in curve if f"valid_{metric}" in r]
    if scored:
        out[metric] = f"{scored[-1][f'valid_{metric}']:.4f}"
        out["best"] = f"{loop.stopper.best:.4f}@{loop.stopper.best_epoch}"
    return out


def finish(
    result: TrainResult, stopper: EarlyStopping, model: nn.Module, train_s: float
) -> TrainResult:
    """Restore the best weights and fill in the chosen epoch, its score and the timing."""
    result.best_epoch = stopper.restore(model, len(result.curve))
    if stopper.improved_ever:
        result.best_valid = stopper.best
    result.seconds_per_epoch = round(train_s / max(len(result.curve), 1), 4)
    return result


def _state(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    gen: torch.Generator,
    loop: _Loop,
    elapsed: float,
    done: bool,
) -> dict[str, Any]:
    """Everything needed to continue exactly: weights, optimiser, both random streams."""
    r, s = loop.result, loop.stopper
    return {
        "done": done,
        "model": model.state_dict(),
        "opt": opt.state_dict(),
        "gen": gen.get_state(),
        "torch_rng": torch.get_rng_state(),
        "curve": r.curve,
        "result": {k: getattr(r, k) for k in ("best_epoch", "best_valid", "seconds_per_epoch",
                                              "epochs_run", "wall_seconds", "stopped")},
        "stopper": {"best": s.best, "best_epoch": s.best_epoch, "stale": s.stale,
                    "best_state": s.best_state},
        "train_s": loop.train_s,
        "elapsed": elapsed,
    }  # fmt: skip


def _restore(
    saved: dict[str, Any], model: nn.Module, opt: torch.optim.Optimizer, gen: torch.Generator,
    loop: _Loop,
) -> None:  # fmt: skip
    model.load_state_dict(saved["model"])
    opt.load_state_dict(saved["opt"])
    gen.set_state(saved["gen"])
    torch.set_rng_state(saved["torch_rng"])
    loop.result.curve = list(saved["curve"])
    for k, v in saved["result"].items():
        setattr(loop.result, k, v)
    loop.result.resumed_at = loop.result.epochs_run
    for k, v in saved["stopper"].items():
        setattr(loop.stopper, k, v)
    loop.train_s, loop.elapsed_before = saved["train_s"], saved["elapsed"]
