"""The graph a recommender may look at when it is trained on everything before a cut time.

Message passing is where leakage hides: a review written in December, an order node of the test
period or an add-to-cart right before a test purchase all carry the answer. The training graph
therefore holds only

* purchases before the cut, as direct ``(user)-[:BOUGHT]->(item)`` edges with their time;
* nodes with a ``time`` (reviews, ...) from before the cut, and their edges;
* edges with their own ``time`` from before the cut;
* relationship types that describe things, not behaviour (``SplitConfig.static_rel_types``);

plus reverse edges (``ToUndirected``) so every node type receives messages. A direct interaction
relationship (``SplitConfig.relationship``, e.g. ``RATED``) is not copied: its training part is
the ``BOUGHT`` edges, and a second copy would count every interaction twice. Under a given split
the clock is the split code, on which an epoch time cannot be placed: timed node types (other
than users and items, which lose their time) and timed edge types are left out
(``left_out["timed_under_given_split"]``). ``check_no_leakage``
re-checks the finished graph and raises on anything from after the cut; ``build_message_graph``
always calls it, and tests call it on graphs that leak on purpose.
"""

from __future__ import annotations

import torch
import torch_geometric.transforms as T
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.data.storage import EdgeStorage, NodeStorage
from torch_geometric.typing import EdgeType

from cartograph.errors import CartographError
from gnn.split import Interactions, SplitConfig, is_static

BOUGHT = "BOUGHT"
_NODE_ATTRS = ("x", "tokens", "time", "node_key")


class LeakageError(CartographError):
    """A training graph holds an edge, node or feature from after the training cut."""

    code = "E510"


def build_message_graph(
    data: HeteroData, train: Interactions, cut: float, cfg: SplitConfig
) -> tuple[HeteroData, dict[str, list[str]]]:
    """The leakage-free training graph at ``cut`` and what was left out (for the report)."""
    left_out: dict[str, set[str]] = {"untimed": set(), "dropped_label": set()}
    if cfg.kind == "given":
        data, left_out["timed_under_given_split"] = _untimed_view(data, cfg)
    out = HeteroData()
    kept: dict[str, Tensor] = {}
    for label in data.node_types:
        if label not in cfg.drop_labels:
            kept[label] = _copy_nodes(data[label], out[label], cut)
    for et in data.edge_types:
        src, rel, dst = et
        if cfg.relationship is not None and et == (cfg.user, cfg.relationship, cfg.item):
            continue  # the interactions themselves: they enter as BOUGHT below
        if src not in kept or dst not in kept:
            left_out["dropped_label"].add(rel)
        elif not _may_enter(data, et, cfg.static_rel_types):
            left_out["untimed"].add(rel)
        else:
            _copy_edges(data[et], out[et], kept[src], kept[dst], cut)
    _add_purchases(out, train, cut, cfg)
    out = _without_isolated_types(out, keep=(cfg.user, cfg.item))
    out = T.ToUndirected()(out)
    check_no_leakage(out, cut, cfg.static_rel_types)
    return out, {k: sorted(v) for k, v in left_out.items()}


def _untimed_view(data: HeteroData, cfg: SplitConfig) -> tuple[HeteroData, set[str]]:
    """``data`` without anything timed, for the ordinal clock of a given split: users and items
    stay (without their time), other timed labels and timed relationships go."""
    timed_labels = [t for t in data.node_types if "time" in data[t]]
    gone = {t for t in timed_labels if t not in (cfg.user, cfg.item)}
    interaction = (cfg.user, cfg.relationship or "", cfg.item)
    edge_types = [
        et
        for et in data.edge_types
        if et[0] not in gone and et[2] not in gone and ("time" not in data[et] or et == interaction)
    ]
    dropped = {et[1] for et in data.edge_types if et not in edge_types}
    view = data.node_type_subgraph([t for t in data.node_types if t not in gone])
    view = view.edge_type_subgraph(edge_types)
    for label in (cfg.user, cfg.item):
        if label in view.node_types and "time" in view[label]:
            del view[label].time
    return view, gone | dropped


def _may_enter(data: HeteroData, et: EdgeType, static: tuple[str, ...]) -> bool:
    """Static facts, edges with their own time, and edges of a timed event (a review's WROTE
    happened when the review was written) can be placed before or after a cut; others cannot."""
    src, _, dst = et
    return is_static(et, static) or "time" in data[et] or "time" in data[src] or "time" in data[dst]


def _copy_nodes(src: NodeStorage, dst: NodeStorage, cut: float) -> Tensor:
    """Copy node attributes; timed node types keep only rows from before ``cut``.
    Returns old row → new row (-1 where dropped)."""
    n = int(src.num_nodes)
    keep = torch.ones(n, dtype=torch.bool)
    if "time" in src:
        keep = torch.isfinite(src.time) & (src.time < cut)
    rows = keep.nonzero().flatten()
    for attr in _NODE_ATTRS:
        if attr in src:
            value = src[attr]
            dst[attr] = (
                [value[i] for i in rows.tolist()] if isinstance(value, list) else value[rows]
            )
    dst.num_nodes = int(rows.numel())
    remap = torch.full((n,), -1, dtype=torch.long)
    remap[rows] = torch.arange(int(rows.numel()))
    return remap


def _copy_edges(
    src: EdgeStorage, dst: EdgeStorage, src_map: Tensor, dst_map: Tensor, cut: float
) -> None:
    """Edges whose endpoints survived and whose own time (if any) is before the cut."""
    ei = src.edge_index
    s, d = src_map[ei[0]], dst_map[ei[1]]
    keep = (s >= 0) & (d >= 0)
    if "time" in src:
        keep &= torch.isfinite(src.time) & (src.time < cut)
        dst.time = src.time[keep]
    dst.edge_index = torch.stack([s[keep], d[keep]])


def _add_purchases(out: HeteroData, train: Interactions, cut: float, cfg: SplitConfig) -> None:
    """One ``BOUGHT`` edge per distinct (user, item) pair, timed by the pair's last purchase."""
    train = train.window(None, cut)
    codes = train.user * out[cfg.item].num_nodes + train.item
    pairs, inverse = torch.unique(codes, return_inverse=True)
    last = torch.full((pairs.numel(),), -torch.inf, dtype=torch.float64)
    last = last.scatter_reduce(0, inverse, train.time.to(torch.float64), reduce="amax")
    n_items = out[cfg.item].num_nodes
    store = out[cfg.user, BOUGHT, cfg.item]
    store.edge_index = torch.stack([pairs // n_items, pairs % n_items])
    store.time = last


def _without_isolated_types(data: HeteroData, keep: tuple[str, ...]) -> HeteroData:
    """Node types that no edge touches only cost embeddings; drop them (and empty edge types)."""
    edge_types = [et for et in data.edge_types if data[et].num_edges > 0]
    used = {t for et in edge_types for t in (et[0], et[2])} | set(keep)
    return data.edge_type_subgraph(edge_types).node_type_subgraph(
        [t for t in data.node_types if t in used]
    )


def check_no_leakage(graph: HeteroData, cut: float, static_rel_types: tuple[str, ...]) -> None:
    """Raise ``LeakageError`` unless every timed node and edge is from before ``cut`` and every
    untimed edge type is static or attached to a timed node type."""
    problems = []
    for label in graph.node_types:
        if "time" in graph[label]:
            late = int((~(graph[label].time < cut)).sum())  # NaN counts as late: unprovable
            if late:
                problems.append(f"{late} {label} nodes at or after the cut")
    for et in graph.edge_types:
        src, _, dst = et
        store = graph[et]
        if "time" in store:
            late = int((~(store.time < cut)).sum())
            if late:
                problems.append(f"{late} {et} edges at or after the cut")
        elif not (is_static(et, static_rel_types) or "time" in graph[src] or "time" in graph[dst]):
            problems.append(f"{et} edges carry no time and are not static")
    if problems:
        raise LeakageError("training graph leaks: " + "; ".join(problems), code="E510")
