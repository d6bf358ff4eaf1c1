"""Early stopping on a validation score, shared by every trainer (BPR, its DDP twin, the node
classifier), so "best epoch" and "stop after ``patience`` stale evaluations" mean one thing.

An evaluation improves when its score is strictly greater than the best so far (the first
finite score always does). A NaN score never improves: PR-AUC is NaN on a fold without
positives, and such an epoch must not replace weights chosen on a real score. Patience counts
*evaluations* (a trainer may validate every few epochs), and ``min_epochs`` keeps a noisy dip
early in training from ending a run.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from torch import nn


class EarlyStopping:
    """Track the best epoch and its weights; say when ``patience`` evaluations went by without
    gain (and at least ``min_epochs`` epochs ran).

    Args:
        patience: stale evaluations (no improvement) after which training stops.
        min_epochs: no stop before this epoch. (default: 0)
    """

    def __init__(self, patience: int, min_epochs: int = 0) -> None:
        self.patience = patience
        self.min_epochs = min_epochs
        self.best = -math.inf
        self.best_epoch = 0
        self.stale = 0
        self.last_epoch = 0
        self.best_state: dict[str, Any] | None = None

    def update(self, epoch: int, score: float, model: nn.Module) -> None:
        """Record ``score`` of ``epoch``, copying the weights on an improvement."""
        self.last_epoch = epoch
        if score > self.best:
            self.best, self.best_epoch, self.stale = score, epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.stale += 1

    @property
    def should_stop(self) -> bool:
        """``patience`` evaluations in a row without improvement, past ``min_epochs``."""
        return self.stale >= self.patience and self.last_epoch >= self.min_epochs

    @property
    def improved_ever(self) -> bool:
        return self.best_state is not None

    def restore(self, model: nn.Module, epochs_run: int) -> int:
        """Load the best weights into ``model``; the chosen epoch (the last one when no epoch was
        scored, as in a refit for a fixed number of epochs)."""
        if self.best_state is None:
            return epochs_run
        model.load_state_dict(self.best_state)
        return self.best_epoch
