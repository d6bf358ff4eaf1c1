"""Inductive scoring of one new order from its fetched neighbourhood (the causal view, online).

On the causal view an order only hears from *older* orders that share its account, card,
device, IP, address or a product (``gnn.classify_views``). A new order at checkout is the newest
node of the graph, so adding it changes nobody else's hidden state: the layer-``l`` states of
every existing order, stored in the fraud artefact (``tensors["hidden"]``), stay exact. Scoring
the new order therefore needs only its own input features and its one-hop neighbours' stored
states; one ``SAGEConv`` step per layer on a star graph reproduces the batch forward pass
(``score_star`` is tested to agree with ``NodeClassifier.forward`` on every node).

Orders newer than the artefact (scored online since) keep their states in a bounded in-memory
overlay, so they count as neighbours too; see docs/serving.md for what differs from batch.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import cast

import torch
from torch import Tensor, nn
from torch_geometric.nn import HeteroConv, SAGEConv
from torch_geometric.typing import EdgeType

from gnn.artefacts import Artefact, ArtefactError
from gnn.classify import rebuild_classifier
from gnn.classify_views import View
from gnn.fraud.online_features import Checkout, Neighbourhood, raw_features
from gnn.models.node_classifier import NodeClassifier

OVERLAY_SIZE = 100_000  # orders scored online kept as neighbours until the next retrain


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


@torch.no_grad()
def score_star(
    model: NodeClassifier, x: Tensor, neighbours: dict[EdgeType, Tensor]
) -> tuple[float, Tensor]:
    """``(risk, states)`` of a new node with input ``x`` (F,) whose in-neighbours per relation
    have stored states ``neighbours[et]`` (L, n, dim); ``states`` (L, dim) are its own."""
    model.eval()
    t = model.target
    h = model.proj[t](model.scale[t](x.float().unsqueeze(0))).relu()
    inputs, states = h, []
    for layer_no, (conv, layer) in enumerate(zip(model.convs, model.norms, strict=True)):
        states.append(h[0])
        total: Tensor | None = None
        for et in model.edge_types:
            src = neighbours.get(et)
            src = src[layer_no] if src is not None else torch.zeros((0, model.dim))
            msg = _sage_one(cast(HeteroConv, conv).convs[et], src, h)
            total = msg if total is None else total + msg
        if total is not None:
            h = h + cast(nn.ModuleDict, layer)[t](total).relu()
    logit = model.head(torch.cat([inputs, h], dim=-1)).squeeze()
    return float(torch.sigmoid(logit)), torch.stack(states)


def _sage_one(sage: SAGEConv, src: Tensor, dst: Tensor) -> Tensor:
    """``SAGEConv`` for one destination node: ``lin_l(mean(src)) + lin_r(dst)``, without a
    scatter (a scatter kernel costs milliseconds per call on a busy machine; this is matmuls)."""
    if str(sage.aggr) != "mean" or sage.project or sage.normalize or not sage.root_weight:
        n = src.shape[0]
        ei = torch.stack([torch.arange(n), torch.zeros(n, dtype=torch.long)])
        return cast(Tensor, sage((src, dst), ei))
    mean = src.mean(0, keepdim=True) if src.shape[0] else torch.zeros_like(dst)
    return cast(Tensor, sage.lin_l(mean) + sage.lin_r(dst))


@dataclass
class OnlineScore:
    """A checkout's risk, its inputs and how much each relation's neighbours moved it."""

    risk: float
    features: dict[str, float]
    impact: dict[str, float]  # relationship type → risk minus risk without those neighbours
    neighbours: dict[str, int]  # relationship type → neighbours used
    unseen: int  # neighbour orders newer than the model and not scored online (left out)
    states: Tensor


class OnlineFraudModel:
    """A fraud artefact made servable: the classifier, stored states and an overlay of orders
    scored since. Raises ``ArtefactError`` for an artefact that cannot score online."""

    def __init__(self, art: Artefact) -> None:
        online = art.manifest.get("online")
        need = ("x", "hidden", "scores")
        if not online or any(k not in art.tensors for k in need) or art.weights is None:
            raise ArtefactError(
                f"model {art.version} cannot score new orders: retrain it with this code "
                "(it lacks the inputs and hidden states online scoring needs)",
                code="E525",
            )
        try:
            self.model = rebuild_classifier(art.manifest["classifier_config"], art.weights)
        except (KeyError, RuntimeError, TypeError) as exc:
            raise ArtefactError(
                f"model {art.version}: weights do not fit: {exc}", code="E525"
            ) from exc
        self.version, self.label = art.version, str(art.manifest["label"])
        self.names: list[str] = list(online["feature_names"])
        self.categories: dict[str, list[str]] = dict(online.get("categories", {}))
        self.x, self.hidden = art.tensors["x"], art.tensors["hidden"]
        # the classifier's own batch scores (older artefacts: the stored scores were its own)
        self.scores = art.tensors.get("online_scores", art.tensors["scores"])
        self.keys = art.keys[self.label]
        self.rows = {k: i for i, k in enumerate(self.keys)}
        self.col = {n: j for j, n in enumerate(self.names)}
        m = self.model
        shape = (m.num_layers, len(self.keys), m.dim)
        if tuple(self.hidden.shape) != shape or self.x.shape[1] != len(self.names):
            raise ArtefactError(
                f"model {art.version}: stored states {tuple(self.hidden.shape)} / inputs "
                f"{tuple(self.x.shape)} do not fit the classifier {shape}",
                code="E525",
            )
        self.overlay: OrderedDict[str, Tensor] = OrderedDict()

    def stored_features(self, key: str) -> dict[str, float]:
        """Raw values (``expm1`` of the stored column) of an order's batch features."""
        row = self.rows.get(key)
        if row is None:
            return {}
        return {n: math.expm1(float(self.x[row, j])) for n, j in self.col.items()}

    def inputs(self, features: dict[str, float]) -> Tensor:
        """The model's input row: ``log1p`` of each named feature, like ``feature_matrix``."""
        vals = [math.log1p(max(features.get(n, 0.0), 0.0)) for n in self.names]
        return torch.tensor(vals, dtype=torch.float32)

    def _states(self, keys: list[str]) -> tuple[Tensor | None, int]:
        found, unseen = [], 0
        for k in keys:
            row = self.rows.get(k)
            if row is not None:
                found.append(self.hidden[:, row])
            elif k in self.overlay:
                found.append(self.overlay[k])
            else:
                unseen += 1
        return (torch.stack(found, 1) if found else None), unseen

    def score(self, checkout: Checkout, nb: Neighbourhood) -> OnlineScore:
        """The checkout's risk from its neighbourhood, with per-relation impact."""
        latest = (nb.account.get("recent") or [None])[0]
        if latest is not None and not nb.stored:
            stored = self.stored_features(latest)
            nb.stored = {k: stored[k] for k in ("component_users", "user_pagerank") if k in stored}
        feats = raw_features(checkout, nb, self.categories)
        x = self.inputs(feats)
        per_rel: dict[EdgeType, Tensor] = {}
        counts: dict[str, int] = {}
        unseen = 0
        for rel, keys in nb.neighbours().items():
            et = (self.model.target, f"via_{rel}", self.model.target)
            states, missing = self._states(keys)
            unseen += missing
            if states is not None and et in self.model.edge_types:
                per_rel[et], counts[rel] = states, int(states.shape[1])
        risk, own = score_star(self.model, x, per_rel)
        impact = {
            et[1].removeprefix("via_"): risk
            - score_star(self.model, x, {k: v for k, v in per_rel.items() if k != et})[0]
            for et in per_rel
        }
        return OnlineScore(risk, feats, impact, counts, unseen, own)

    def remember(self, key: str, states: Tensor) -> None:
        """Keep a newly stored order's states so later checkouts hear from it."""
        self.overlay[key] = states
        self.overlay.move_to_end(key)
        while len(self.overlay) > OVERLAY_SIZE:
            self.overlay.popitem(last=False)
