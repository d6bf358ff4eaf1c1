"""The graphs a node classifier passes messages on, built from whatever the data holds.

* ``causal_view`` (temporal tasks): target nodes only; for every relationship between the target
  and an untimed label (a card, a device, an account), an edge ``j -> i`` of type
  ``(T, "via_<REL>", T)`` when ``j`` is older than ``i`` and both touch the same entity (the
  ``max_links`` most recent such ``j`` per entity). A node therefore hears only from its past,
  two layers deep, and a single forward pass scores every node as of its own time. A timed
  entity (a ticket about an order) links an event only if it existed by the event's time.
* ``full_view`` (given splits): every node type and relationship plus reverse edges; types
  without numeric properties get an ID embedding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.typing import EdgeType
from torch_geometric.utils import coalesce

from gnn.classify_spec import ClassifySpec

_RESERVED = ("time", "created_at", "split", "node_key")


@dataclass
class View:
    """Inputs of ``NodeClassifier``: features, edges, and the target's times and label arrival."""

    target: str
    x: dict[str, Tensor]
    edges: dict[EdgeType, Tensor]
    num_nodes: dict[str, int]
    time: Tensor
    label_arrival: Tensor | None = None
    rows: Tensor = field(default_factory=lambda: torch.empty(0, dtype=torch.long))

    def subgraph(self, nodes: Tensor) -> View:
        """The view induced on target rows ``nodes`` (renumbered 0..len-1, in that order)."""
        n = self.num_nodes[self.target]
        new = torch.full((n,), -1, dtype=torch.long)
        new[nodes] = torch.arange(nodes.numel())
        edges = {}
        for et, ei in self.edges.items():
            keep = torch.ones(ei.shape[1], dtype=torch.bool)
            if et[0] == self.target:
                keep &= new[ei[0]] >= 0
            if et[2] == self.target:
                keep &= new[ei[1]] >= 0
            sub = ei[:, keep].clone()
            if et[0] == self.target:
                sub[0] = new[sub[0]]
            if et[2] == self.target:
                sub[1] = new[sub[1]]
            edges[et] = sub
        x = dict(self.x)
        x[self.target] = self.x[self.target][nodes]
        num = dict(self.num_nodes)
        num[self.target] = int(nodes.numel())
        arrival = self.label_arrival[nodes] if self.label_arrival is not None else None
        return View(self.target, x, edges, num, self.time[nodes], arrival, nodes)

    def to(self, device: torch.device) -> View:
        return View(
            self.target,
            {t: v.to(device) for t, v in self.x.items()},
            {et: e.to(device) for et, e in self.edges.items()},
            self.num_nodes,
            self.time,
            self.label_arrival,
            self.rows,
        )


def target_features(data: HeteroData, spec: ClassifySpec) -> tuple[Tensor, list[str]]:
    """``(N, F)`` float32 inputs of the target and their names (see ``ClassifySpec.features``)."""
    store = data[spec.target]
    skip = {spec.label, spec.label_time, spec.time, spec.split_property, *_RESERVED}
    if spec.features is None and "x" in store:
        x = store.x.float()
        return x, [f"x{i}" for i in range(x.shape[1])]
    names = list(spec.features) if spec.features is not None else numeric_properties(store, skip)
    cols, out_names = [], []
    for name in names:
        col = store[name].double()
        if f"{name}__values" in store:  # category codes → one-hot
            for k, value in enumerate(store[f"{name}__values"]):
                cols.append((col == k).double())
                out_names.append(f"{name}={value}")
        else:
            cols.append(_signed_log(col))
            out_names.append(name)
    n = int(store.num_nodes)
    x = torch.stack(cols, 1).float() if cols else torch.zeros((n, 0))
    return x, out_names


def numeric_properties(store: object, skip: set[str | None]) -> list[str]:
    """Per-node numeric properties of a store, in name order, minus ``skip``. Text (category
    codes, ``<name>__values`` beside them) is not a feature unless a spec names it: free text
    such as a split column or an identifier would only teach a model where a row came from."""
    n = int(getattr(store, "num_nodes", 0))
    names = []
    for key, value in store.items():  # type: ignore[attr-defined]
        if key in skip or key.endswith("__values") or not isinstance(value, Tensor):
            continue
        if f"{key}__values" in store:  # type: ignore[operator]
            continue
        if value.dim() == 1 and value.numel() == n and value.is_floating_point():
            names.append(key)
    return sorted(names)


def _signed_log(col: Tensor) -> Tensor:
    return torch.nan_to_num(torch.sign(col) * torch.log1p(col.abs()))


def causal_view(
    data: HeteroData, spec: ClassifySpec, x: Tensor, label_arrival: Tensor | None = None
) -> View:
    """Target-only graph whose edges run from older to younger nodes through shared entities."""
    target = spec.target
    t = data[target][spec.time].double()
    n = int(data[target].num_nodes)
    edges: dict[EdgeType, Tensor] = {}
    for et in sorted(data.edge_types):
        src, rel, dst = et
        ei = data[et].edge_index
        if src == dst == target:
            keep = t[ei[0]] < t[ei[1]]
            fwd = torch.cat([ei[:, keep], ei.flip(0)[:, t[ei[1]] < t[ei[0]]]], 1)
            edges[(target, rel, target)] = coalesce(fwd, num_nodes=n)
            continue
        if target not in (src, dst) or src == dst:
            continue
        other = dst if src == target else src
        nodes, ents = (ei[0], ei[1]) if src == target else (ei[1], ei[0])
        if "time" in data[other]:  # an entity born after the event (a ticket) says nothing then
            born = data[other].time.double()[ents]
            keep = ~(born > t[nodes])
            nodes, ents = nodes[keep], ents[keep]
        pairs = _older_pairs(nodes, ents, t, spec.max_links)
        if pairs.numel():
            edges[(target, f"via_{rel}", target)] = coalesce(pairs, num_nodes=n)
    empty = torch.empty(0, dtype=torch.long)
    return View(target, {target: x}, edges, {target: n}, t, label_arrival, empty)


def _older_pairs(nodes: Tensor, ents: Tensor, t: Tensor, max_links: int) -> Tensor:
    """``(2, E)`` (older, younger) target pairs sharing an entity, ``max_links`` per younger."""
    tt = t[nodes].numpy()
    order = np.lexsort((tt, ents.numpy()))
    nodes_s, ents_s, t_s = nodes[order], ents[order], torch.from_numpy(tt[order])
    out = []
    for k in range(1, max_links + 1):
        if nodes_s.numel() <= k:
            break
        same = (ents_s[k:] == ents_s[:-k]) & (t_s[:-k] < t_s[k:])
        out.append(torch.stack([nodes_s[:-k][same], nodes_s[k:][same]]))
    return torch.cat(out, 1) if out else torch.empty((2, 0), dtype=torch.long)


def full_view(data: HeteroData, spec: ClassifySpec, x: Tensor) -> View:
    """Every type and relationship (plus reverse), numeric properties as inputs elsewhere."""
    feats: dict[str, Tensor] = {spec.target: x}
    num_nodes = {t: int(data[t].num_nodes) for t in data.node_types}
    for t in data.node_types:
        if t == spec.target:
            continue
        names = numeric_properties(data[t], {*_RESERVED})
        if names:
            feats[t] = torch.stack([_signed_log(data[t][p].double()) for p in names], 1).float()
    edges: dict[EdgeType, Tensor] = {}
    for et in data.edge_types:
        src, rel, dst = et
        ei = data[et].edge_index
        edges[et] = ei
        edges[(dst, f"rev_{rel}", src)] = ei.flip(0)
    t = torch.full((num_nodes[spec.target],), math.nan, dtype=torch.float64)
    return View(spec.target, feats, edges, num_nodes, t, None, torch.empty(0, dtype=torch.long))
