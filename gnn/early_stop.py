"""Early stopping on a validation score, shared by every trainer (BPR, its DDP twin, the node
classifier), so "best epoch" and "stop after ``patience`` stale epochs" mean one thing.

An epoch improves when its score is strictly greater than the best so far (the first finite
score always does). A NaN score never improves: PR-AUC is NaN on a fold without positives, and
such an epoch must not replace weights chosen on a real score. Recall@K is never NaN, so the
BPR loops stop exactly where they did when they carried their own copy of this logic.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from torch import nn


class EarlyStopping:
    """Track the best epoch and its weights; say when ``patience`` epochs went by without gain.

    Args:
        patience: stale epochs (no improvement) after which training stops.
    """

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.best = -math.inf
        self.best_epoch = 0
        self.stale = 0
        self.best_state: dict[str, Any] | None = None

    def update(self, epoch: int, score: float, model: nn.Module) -> None:
        """Record ``score`` of ``epoch``, copying the weights on an improvement."""
        if score > self.best:
            self.best, self.best_epoch, self.stale = score, epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.stale += 1

    @property
    def should_stop(self) -> bool:
        """``patience`` epochs in a row without improvement (checked after every epoch)."""
        return self.stale >= self.patience

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
