"""What a node classifier is asked to do (``ClassifySpec``) and how it trains (``TrainConfig``).

Torch-free, so task specs can be validated and the graph views (``gnn.classify_views``) and the
trainer (``gnn.classify``) can share these types without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass as config_dataclass

from cartograph.errors import CartographError

# The node-classification zoo (``gnn.node_zoo``), in report order; a spec's ``models:`` picks
# among these names (torch-free here so task specs validate without importing the models).
NODE_MODELS: tuple[str, ...] = (
    "logreg",
    "lightgbm",
    "lightgbm+graph",
    "mlp",
    "gnn-sage",
    "bwgnn",
    "stack",
)


class ClassifyError(CartographError):
    """The graph lacks what the classification spec names (label, time, split values)."""

    code = "E530"


@dataclass(frozen=True)
class ClassifySpec:
    """What to classify and how to split.

    Args:
        target: node label to classify. label: its 0/1 property.
        features: target properties used as inputs; ``None``: ``x`` if the export made one,
            else every numeric property except label, label time, time and split.
        split: ``"temporal"`` or ``"given"``.
        time: target property holding epoch seconds (temporal split).
        label_time: property holding when a positive label arrived; ``None``: a label counts
            as known ``label_delay_days`` after the node's time.
        gap_days: training nodes end this long before the cut (guards against near-cut leaks).
        label_delay_days: the longest a label can take to arrive; evaluation nodes must be at
            least this old at the data's end.
        valid_frac, test_frac: shares of matured target nodes in the two evaluation periods.
        split_property: the ``train``/``valid``/``test`` property of a given split.
        max_links: causal view: most recent older neighbours per shared entity (bounds the
            fan-out of popular products and carrier IPs).
    """

    target: str
    label: str
    features: tuple[str, ...] | None = None
    split: str = "temporal"
    time: str = "time"
    label_time: str | None = None
    gap_days: float = 0.0
    label_delay_days: float = 60.0
    valid_frac: float = 0.15
    test_frac: float = 0.15
    split_property: str = "split"
    max_links: int = 10


@config_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class TrainConfig:
    """Optimisation settings of the node classifier: the ``train:`` block of a
    node-classification task spec. Defaults were chosen on the valid fold (docs/gnn-fraud.md).

    A pydantic dataclass, so the spec validates into the very type ``fit`` consumes; unknown
    keys are refused (``gnn.tasks.spec`` turns that into ``[E144]``).

    Args:
        dim, num_layers, dropout: model size (see ``NodeClassifier``).
        lr, weight_decay: AdamW.
        max_epochs, patience: early stopping on valid PR-AUC (full-batch epochs).
        pos_weight: ``"balanced"`` (negatives / positives of the fold) or a number.
        amp: bfloat16 autocast on CUDA.
        time_budget_s: wall-clock seconds for one fit (its epochs and validations, at least
            one epoch); the best epoch so far is kept when it runs out. ``None``: no limit.
    """

    dim: int = 64
    num_layers: int = 2
    dropout: float = 0.2
    lr: float = 0.005
    weight_decay: float = 1e-4
    max_epochs: int = 80
    patience: int = 15
    pos_weight: str | float = "balanced"
    amp: bool = True
    time_budget_s: float | None = Field(default=None, gt=0)
