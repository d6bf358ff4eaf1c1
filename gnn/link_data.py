"""Export for link prediction on any graph: whatever the split config needs, read from Neo4j.

``gnn.features.export_recommend_data`` reads the marketplace's properties. A user's own graph
observes its interactions differently (``SplitConfig``): a direct relationship carries its own
``created_at`` (e.g. ``RATED``), and a given split puts a split property (``split`` unless the
spec's ``split.property`` names another) on the interaction (the relationship, or the event node
of a path). ``export_link_data`` asks the reader for those
properties as well and turns split names into the codes ``gnn.split`` reads, so a task spec on
such a graph trains without code changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from torch_geometric.data import HeteroData

from gnn.features import RECOMMEND_EDGE_PROPERTIES, RECOMMEND_NODE_PROPERTIES, recommend_data
from gnn.split import SplitConfig, split_codes
from graph.connection import Driver
from graph.reader import GraphArrays, export_graph

SPLIT_PROPERTY = "split"  # the default name; ``SplitConfig.split_property`` is the one read


def link_properties(
    cfg: SplitConfig,
    node_properties: Mapping[str, Sequence[str]] = RECOMMEND_NODE_PROPERTIES,
    edge_properties: Mapping[str, Sequence[str]] = RECOMMEND_EDGE_PROPERTIES,
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """``(node_properties, edge_properties)`` for the reader: the given ones plus the
    interaction's time and split property (``cfg.split_property``)."""
    nodes = {k: list(v) for k, v in node_properties.items()}
    edges = {k: list(v) for k, v in edge_properties.items()}
    if cfg.relationship is not None:
        props = edges.setdefault(cfg.relationship, [])
    else:
        props = nodes.setdefault(cfg.event, [])
    props += [p for p in ("created_at", cfg.split_property) if p not in props]
    return nodes, edges


def export_link_data(
    driver: Driver,
    cfg: SplitConfig,
    database: str = "neo4j",
    labels: Sequence[str] | None = None,
    rel_types: Sequence[str] | None = None,
    node_properties: Mapping[str, Sequence[str]] = RECOMMEND_NODE_PROPERTIES,
    edge_properties: Mapping[str, Sequence[str]] = RECOMMEND_EDGE_PROPERTIES,
) -> HeteroData:
    """``recommend_data`` of the graph (or of ``labels``/``rel_types``), with split codes."""
    nodes, edges = link_properties(cfg, node_properties, edge_properties)
    arrays = export_graph(driver, database, labels, rel_types, nodes, edges)
    data = recommend_data(_without_split_text(arrays, cfg.split_property))
    attach_split_codes(data, arrays, cfg.split_property)
    return data


def _without_split_text(arrays: GraphArrays, prop: str = SPLIT_PROPERTY) -> GraphArrays:
    """The split names must not become text tokens of the event nodes (the test period's
    orders would say "test" in their features)."""
    node_props = {
        label: {p: v for p, v in props.items() if p != prop}
        for label, props in arrays.node_props.items()
    }
    return GraphArrays(arrays.node_keys, node_props, arrays.edges, arrays.edge_props)


def attach_split_codes(data: HeteroData, arrays: GraphArrays, prop: str = SPLIT_PROPERTY) -> None:
    """``split`` codes (train 0, valid 1, test 2, else -1) on every node and edge type whose
    ``prop`` property is set somewhere; a given split reads them (as ``split``, whatever the
    property's name in the graph)."""
    for label, props in arrays.node_props.items():
        values = props.get(prop)
        if values is not None and any(isinstance(v, str) for v in values):
            data[label].split = split_codes(list(values))
    for et, props in arrays.edge_props.items():
        values = props.get(prop)
        if values is not None and any(isinstance(v, str) for v in values):
            data[et].split = split_codes(list(values))
