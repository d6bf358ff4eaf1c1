"""The recommender that serves: the model chosen on valid, refit on every interaction up to now.

Split from ``gnn.recommend`` (which compares models on the temporal split) because this is the
other half of the job: one model, all the data, embeddings ready to store in an artefact.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch_geometric.data import HeteroData

from gnn.device import seed_everything
from gnn.message_graph import BOUGHT, build_message_graph
from gnn.recommend import COUNT_BASELINES, RecommendConfig, build_model, train_config, trainer
from gnn.split import SplitConfig, temporal_split


@dataclass
class FinalModel:
    """The model that serves: chosen on valid, refit on every interaction up to now."""

    name: str
    model: nn.Module | None
    graph: HeteroData
    user_emb: Tensor
    item_emb: Tensor
    history: Tensor  # (2, P) user, item pairs already bought: masked when recommending
    epochs: int
    config: dict[str, Any]


def fit_final(
    data: HeteroData,
    name: str,
    epochs: int,
    split_cfg: SplitConfig | None = None,
    model_cfg: RecommendConfig | None = None,
    seed: int = 7,
    device: torch.device | str = "cpu",
) -> FinalModel:
    """Refit ``name`` on all purchases for the epoch count chosen on valid; embeddings ready.

    Only embedding models are served (their scores are dot products of stored vectors); the
    count-based baselines have no embeddings to store."""
    if name in COUNT_BASELINES:
        raise ValueError(f"{name} is a baseline without embeddings; serve a trained model")
    model_cfg = model_cfg or RecommendConfig()
    device = torch.device(device)
    split = temporal_split(data, split_cfg)
    history = split.interactions
    cut = float(history.time.max()) + 1.0
    graph, _ = build_message_graph(data, history, cut, split.config)
    cfg = split.config
    positives = graph[cfg.user, BOUGHT, cfg.item].edge_index
    gen = seed_everything(seed)
    model = build_model(name, graph, split, model_cfg).to(device)
    train_cfg = train_config(name, model_cfg)
    trainer()(model, graph, positives, split.num_items, train_cfg, gen, None, max(epochs, 1))
    model.eval()
    with torch.no_grad():
        u_emb, i_emb = model(graph.to(device))
    return FinalModel(
        name=name,
        model=model,
        graph=graph,
        user_emb=u_emb.float().cpu(),
        item_emb=i_emb.float().cpu(),
        history=positives.cpu(),
        epochs=max(epochs, 1),
        config={
            "model": name,
            "dim": model_cfg.dim,
            "model_args": dict(model_cfg.model_args.get(name, {})),
            "train": dataclasses.asdict(train_cfg),
            "split": dataclasses.asdict(cfg),
            "epochs": max(epochs, 1),
        },
    )
