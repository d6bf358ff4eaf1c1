"""Why did an order get its score: occlusion over the older orders it heard from.

On the causal view (``gnn.classify_views``) an order's score depends only on older orders that
share an entity with it (and, a layer deeper, on theirs). For each direct link ``j -> order``
we delete that one edge and re-score: the drop in risk is the link's weight (positive: the
neighbour made the order look riskier). Re-scoring runs on the order's ancestor subgraph only,
which gives the same score as the full graph (messages only flow forward in time).

Returned as data (``{label, key, relationship, via_label, via_key, weight}``) and as a
parameterised Cypher query that draws the order, the shared entities and those neighbours in
Neo4j Browser.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from gnn.classify import predict
from gnn.classify_views import View
from gnn.models.node_classifier import NodeClassifier

CYPHER = (
    "MATCH (o:{label} {{key: $key}})\n"
    "MATCH (n:{label}) WHERE n.key IN $neighbours\n"
    "MATCH p = (o)-[]-(e)-[]-(n)\n"
    "RETURN p"
)


def _ancestors(view: View, node: int, hops: int) -> Tensor:
    """``node`` and every target node within ``hops`` backward steps, sorted."""
    frontier = torch.tensor([node])
    seen = frontier
    for _ in range(hops):
        srcs = [ei[0][torch.isin(ei[1], frontier)] for ei in view.edges.values()]
        frontier = torch.unique(torch.cat(srcs)) if srcs else torch.empty(0, dtype=torch.long)
        frontier = frontier[~torch.isin(frontier, seen)]
        seen = torch.cat([seen, frontier])
    return torch.sort(seen).values


def explain_node(
    model: NodeClassifier,
    view: View,
    data: HeteroData,
    node: int,
    device: torch.device | str = "cpu",
    top: int = 10,
) -> dict[str, Any]:
    """The ``top`` links that moved ``node``'s score most, and the Cypher that draws them."""
    device = torch.device(device)
    nodes = _ancestors(view, node, model.num_layers)
    sub = view.subgraph(nodes)
    local = int(torch.nonzero(nodes == node).flatten()[0])
    base = float(predict(model, sub, device)[local])
    rows = []
    for et, ei in sub.edges.items():
        for pos in torch.nonzero(ei[1] == local).flatten().tolist():
            keep = torch.ones(ei.shape[1], dtype=torch.bool)
            keep[pos] = False
            edges = dict(sub.edges)
            edges[et] = ei[:, keep]
            occluded = View(sub.target, sub.x, edges, sub.num_nodes, sub.time, None, sub.rows)
            weight = base - float(predict(model, occluded, device)[local])
            rows.append((weight, int(nodes[int(ei[0, pos])]), et))
    rows.sort(key=lambda r: -abs(r[0]))
    keys = data[view.target].node_key
    links = [_link(data, view.target, node, j, et, w, keys) for w, j, et in rows[:top]]
    return {
        "label": view.target,
        "key": keys[node],
        "score": round(base, 6),
        "links": links,
        "cypher": CYPHER.format(label=view.target),
        "parameters": {"key": keys[node], "neighbours": sorted({link["key"] for link in links})},
    }


def _link(
    data: HeteroData,
    target: str,
    node: int,
    j: int,
    et: tuple[str, str, str],
    weight: float,
    keys: list[str],
) -> dict[str, Any]:
    """One link as data, naming the shared entity (the card, device, account) when there is one."""
    rel = et[1].removeprefix("via_")
    via_label, via_key = None, None
    for (src, r, dst), store in data.edge_items():
        if r != rel or target not in (src, dst) or src == dst:
            continue
        ei = store.edge_index
        own, other = (0, 1) if src == target else (1, 0)
        mine = set(ei[other][ei[own] == node].tolist())
        theirs = set(ei[other][ei[own] == j].tolist())
        shared = sorted(mine & theirs)
        if shared:
            via_label = dst if src == target else src
            via_key = data[via_label].node_key[shared[0]] if "node_key" in data[via_label] else None
            break
    return {
        "label": target,
        "key": keys[j],
        "relationship": rel,
        "via_label": via_label,
        "via_key": via_key,
        "weight": round(weight, 6),
    }
