"""Arrays exported from Neo4j → a PyTorch Geometric ``HeteroData`` that remembers node keys.

Each node type carries ``node_key`` (the list of Neo4j keys by row), so any model output can be
written back to the right node.
"""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import HeteroData

from graph.reader import GraphArrays


def to_hetero_data(arrays: GraphArrays) -> HeteroData:
    """Build ``HeteroData``: ``x`` from numeric node properties (stacked in name order) if any."""
    data = HeteroData()
    for label, keys in arrays.node_keys.items():
        store = data[label]
        store.node_key = list(keys)
        store.num_nodes = len(keys)
        numeric = [
            arrays.node_props[label][p]
            for p in sorted(arrays.node_props.get(label, {}))
            if arrays.node_props[label][p].dtype != object
        ]
        if numeric:
            cols = [c.reshape(len(keys), -1) for c in numeric]
            store.x = torch.from_numpy(np.nan_to_num(np.concatenate(cols, axis=1)))
    for (src, rel, dst), edge_index in arrays.edges.items():
        data[src, rel, dst].edge_index = torch.from_numpy(edge_index.copy())
    return data


def node_keys(data: HeteroData, label: str, index: torch.Tensor) -> list[str]:
    """Map row positions of ``label`` back to Neo4j keys."""
    keys = data[label].node_key
    return [keys[i] for i in index.tolist()]
