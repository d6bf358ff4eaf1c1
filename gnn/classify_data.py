"""Exported arrays → ``HeteroData`` that keeps every requested property as its own tensor.

``gnn.data.to_hetero_data`` stacks all numeric properties into ``x``; for classification that
would put the label (``is_chargeback``) and its arrival time (``chargeback_at``) among the
inputs. Here each property stays a separate float64 tensor named after the property, so a
``ClassifySpec`` picks the label, the label time and the features by name:

* numbers and booleans → float64 (``None`` → NaN; booleans 1/0);
* temporal values (driver ``DateTime``, ISO strings) → epoch seconds;
* other strings → category codes (0, 1, ... in sorted value order; NaN where missing), with the
  sorted values kept in ``<name>__values`` so codes can be read back;
* ``created_at`` also becomes ``time`` (what temporal splits cut on).

Everything is schema-driven: no label or property is required to exist.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch_geometric.data import HeteroData

from gnn.features import to_epoch_seconds
from graph.connection import Driver
from graph.reader import GraphArrays, export_graph

TIME_PROPERTY = "created_at"


def export_property_data(
    driver: Driver,
    node_properties: dict[str, list[str]],
    edge_properties: dict[str, list[str]] | None = None,
    database: str = "neo4j",
) -> HeteroData:
    """The whole graph with ``node_properties`` as named tensors (see the module docstring)."""
    arrays = export_graph(
        driver, database, node_properties=node_properties, edge_properties=edge_properties
    )
    return property_data(arrays)


def property_data(arrays: GraphArrays) -> HeteroData:
    """``HeteroData`` with ``node_key``, one tensor per property, ``time`` and edge indices."""
    data = HeteroData()
    for label, keys in arrays.node_keys.items():
        if len(keys) == 0:  # a label with no nodes (left by a constraint) is no node type
            continue
        store = data[label]
        store.node_key = list(keys)
        store.num_nodes = len(keys)
        for prop, values in arrays.node_props.get(label, {}).items():
            column, vocab = property_column(values)
            if column is None:
                continue
            store[prop] = column
            if vocab is not None:
                store[f"{prop}__values"] = vocab
        if TIME_PROPERTY in store and torch.isfinite(store[TIME_PROPERTY]).any():
            store.time = store[TIME_PROPERTY]
    for et, edge_index in arrays.edges.items():
        if edge_index.shape[1] == 0:
            continue
        store = data[et]
        store.edge_index = torch.from_numpy(edge_index.copy())
        for prop, values in arrays.edge_props.get(et, {}).items():
            column, _ = property_column(values)
            if column is not None:
                store[prop] = column
    return data


def property_column(values: np.ndarray) -> tuple[torch.Tensor | None, list[str] | None]:
    """One property as float64 (and the category values when it was text); ``None`` if empty."""
    if len(values) == 0:
        return None, None
    if values.dtype != object:
        if values.ndim > 1:
            return torch.from_numpy(values.astype(np.float64)), None
        return torch.from_numpy(values.astype(np.float64)), None
    present = [v for v in values if v is not None]
    if not present:
        return None, None
    if all(isinstance(v, bool | int | float) for v in present):
        return torch.tensor([_number(v) for v in values], dtype=torch.float64), None
    if all(_is_temporal(v) for v in present):
        return torch.from_numpy(to_epoch_seconds(values)), None
    if all(isinstance(v, str) for v in present):
        vocab = sorted(set(present))
        code = {v: float(i) for i, v in enumerate(vocab)}
        return torch.tensor([code.get(v, math.nan) for v in values], dtype=torch.float64), vocab
    return None, None  # lists of mixed types, maps: not a feature


def _number(v: Any) -> float:
    return math.nan if v is None else float(v)


def _is_temporal(v: Any) -> bool:
    if hasattr(v, "to_native") or hasattr(v, "timestamp"):
        return True
    if isinstance(v, str) and len(v) >= 10 and v[4] == "-" and v[7] == "-":
        try:
            to_epoch_seconds(np.asarray([v], dtype=object))
        except ValueError:
            return False
        return True
    return False
