"""Inductive scoring of one new order from its fetched neighbourhood (the causal view, online).

On the causal view an order only hears from *older* orders that share its account, card,
device, IP, address or a product (``gnn.classify_views``). A new order at checkout is the newest
node of the graph, so adding it changes nobody else's hidden state: the layer-``l`` states of
every existing order, stored in the fraud artefact (``tensors["hidden"]``), stay exact. Scoring
the new order therefore needs only its own input features and its one-hop neighbours' stored
states; one ``SAGEConv`` step per layer on a star graph reproduces the batch forward pass
(``layer_states`` / ``score_star`` are tested to agree with ``NodeClassifier.forward``).

Where online inputs differ from batch ones, see ``order_features`` and docs/serving.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import torch
from torch import Tensor, nn
from torch_geometric.nn import HeteroConv

from gnn.classify_views import View
from gnn.models.node_classifier import NodeClassifier

DAY = 86_400.0


@torch.no_grad()
def layer_states(model: NodeClassifier, view: View, device: torch.device | str = "cpu") -> Tensor:
    """``(num_layers, N, dim)``: the target's hidden state entering each message-passing layer
    (``h_0`` = input projection). What a new order's neighbours contribute online."""
    model.eval()
    v = view.to(torch.device(device))
    t = model.target
    h = {t: model.proj[t](model.scale[t](v.x[t])).relu()}
    out = []
    for conv, layer in zip(model.convs, model.norms, strict=True):
        out.append(h[t].float().cpu())
        present = {et: e for et, e in v.edges.items() if et in model.edge_types}
        res = cast(HeteroConv, conv)(h, present) if present else {}
        norms = cast(nn.ModuleDict, layer)
        h = {t: h[t] + norms[t](res[t]).relu()} if t in res else h
    return torch.stack(out)


@dataclass
class Star:
    """A new order and its older neighbours per causal relation (rows of the stored states)."""

    x: Tensor  # (F,) input features of the new order
    neighbours: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)


@torch.no_grad()
def score_star(model: NodeClassifier, hidden: Tensor, star: Star) -> float:
    """The risk of the new order: the model's forward pass restricted to the new node."""
    model.eval()
    t = model.target
    x = star.x.float().unsqueeze(0)
    h_new = model.proj[t](model.scale[t](x)).relu()
    inputs = h_new
    for layer_no, (conv, layer) in enumerate(zip(model.convs, model.norms, strict=True)):
        total: Tensor | None = None
        hetero = cast(HeteroConv, conv)
        for et in model.edge_types:
            rows = star.neighbours.get(tuple(et), [])  # type: ignore[arg-type]
            src = hidden[layer_no, rows] if rows else torch.zeros((0, model.dim))
            ei = torch.stack([torch.arange(len(rows)), torch.zeros(len(rows), dtype=torch.long)])
            sage = hetero.convs[tuple(et)]
            msg = sage((src, h_new), ei)
            total = msg if total is None else total + msg
        if total is not None:
            norms = cast(nn.ModuleDict, layer)
            h_new = h_new + norms[t](total).relu()
    logit = model.head(torch.cat([inputs, h_new], dim=-1)).squeeze()
    return float(torch.sigmoid(logit))
