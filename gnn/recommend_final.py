"""The recommender that serves: the model chosen on valid, refit on the interactions ``refit``
names.

Split from ``gnn.recommend`` (which compares models on the temporal split) because this is the
other half of the job: one model, its data, what an artefact stores to serve it (embeddings of a
trained model, or a training-free filter's matrices: every model is servable, ``gnn.served``).

``refit`` decides what the served model learns from, and therefore what it masks when it
recommends (a user's items in its training data): ``train``, ``train+valid`` (the default: the
test period stays out, so a published test set can score the served model's recommendations),
or ``all`` (a live shop that wants every purchase, with nothing left to test on).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import Tensor, nn
from torch_geometric.data import HeteroData

from gnn.device import seed_everything
from gnn.message_graph import BOUGHT, build_message_graph
from gnn.recommend import (
    TRAINING_FREE,
    RecommendConfig,
    build_model,
    fit_item_filter,
    model_dim,
    train_config,
    trainer,
)
from gnn.served import filter_artefact_tensors
from gnn.split import SplitConfig, TemporalSplit, temporal_split
from gnn.train import Checkpoint

Refit = Literal["train", "train+valid", "all"]
REFITS: tuple[Refit, ...] = ("train", "train+valid", "all")
DEFAULT_REFIT: Refit = "train+valid"


@dataclass
class FinalModel:
    """The model that serves: chosen on valid, refit on the interactions ``refit`` names.

    ``tensors`` is what the artefact stores (``history`` always; ``source_emb``/``target_emb``
    for an embedding model, the filter's matrices for a training-free one) and ``scorer`` the
    manifest entry ``gnn.served`` reads back (``None``: embeddings)."""

    name: str
    model: nn.Module | None
    graph: HeteroData
    history: Tensor  # (2, P) user, item pairs already bought: masked when recommending
    epochs: int
    config: dict[str, Any]
    tensors: dict[str, Tensor] = field(default_factory=dict)
    scorer: dict[str, Any] | None = None

    @property
    def user_emb(self) -> Tensor:
        return self.tensors["source_emb"]

    @property
    def item_emb(self) -> Tensor:
        return self.tensors["target_emb"]


def fit_final(
    data: HeteroData,
    name: str,
    epochs: int,
    split_cfg: SplitConfig | None = None,
    model_cfg: RecommendConfig | None = None,
    seed: int = 7,
    device: torch.device | str = "cpu",
    refit: Refit = DEFAULT_REFIT,
    beta: float = 0.0,
) -> FinalModel:
    """Refit ``name`` on the ``refit`` periods for the epoch count chosen on valid, ready to
    store.

    A training-free model (popularity, item-kNN, GF-CF, kg-gf with the KG weight ``beta``
    chosen on valid) is fitted once on the same interactions and graph and stored as its
    filter's matrices (``gnn.served``); an embedding model is retrained and its embeddings are
    stored."""
    if refit not in REFITS:
        raise ValueError(f"refit must be one of {', '.join(REFITS)}, not {refit!r}")
    model_cfg = model_cfg or RecommendConfig()
    device = torch.device(device)
    split = temporal_split(data, split_cfg)
    cut = refit_cut(split, refit)
    history = split.interactions.window(None, cut)
    graph, _ = build_message_graph(data, history, cut, split.config)
    cfg = split.config
    positives = graph[cfg.user, BOUGHT, cfg.item].edge_index
    config: dict[str, Any] = {
        "model": name,
        "model_args": dict(model_cfg.model_args.get(name, {})),
        "split": dataclasses.asdict(cfg),
        "refit": refit,
        "trained_on_interactions": len(history),
    }
    if name in TRAINING_FREE:
        item_filter = fit_item_filter(name, split, graph, positives, model_cfg, beta)
        tensors, scorer = filter_artefact_tensors(item_filter)
        tensors["history"] = positives.cpu()
        config.update(epochs=0, scorer=scorer)
        return FinalModel(name, None, graph, positives.cpu(), 0, config, tensors, scorer)
    gen = seed_everything(seed)
    model = build_model(name, graph, split, model_cfg).to(device)
    train_cfg = train_config(name, model_cfg)
    checkpoint = None
    if model_cfg.checkpoint_dir is not None:
        signature = f"{name} final {refit} {epochs} {dataclasses.asdict(train_cfg)} {len(history)}"
        checkpoint = Checkpoint(model_cfg.checkpoint_dir / f"{name}-final.pt", signature)
    trainer()(
        model, graph, positives, split.num_items, train_cfg, gen, None, max(epochs, 1),
        checkpoint=checkpoint, label=f"{name} (refit on {refit})",
    )  # fmt: skip
    model.eval()
    with torch.no_grad():
        u_emb, i_emb = model(graph.to(device))
    config.update(
        dim=model_dim(model_cfg), train=dataclasses.asdict(train_cfg), epochs=max(epochs, 1)
    )
    tensors = {
        "source_emb": u_emb.float().cpu(),
        "target_emb": i_emb.float().cpu(),
        "history": positives.cpu(),
    }
    return FinalModel(name, model, graph, positives.cpu(), max(epochs, 1), config, tensors)


def refit_cut(split: TemporalSplit, refit: Refit) -> float:
    """The clock value the refit's history ends before: ``t1``, ``t2`` or past the last."""
    if refit == "train":
        return split.t1
    if refit == "train+valid":
        return split.t2
    return float(split.interactions.time.max()) + 1.0
