import numpy as np
import torch

from gnn.data import node_keys, to_hetero_data
from graph.reader import GraphArrays


def _arrays() -> GraphArrays:
    a = GraphArrays()
    a.node_keys = {"User": ["u1", "u2", "u3"], "Product": ["p1", "p2"]}
    a.node_props = {
        "User": {"age": np.array([30, 40, 50], dtype=np.float32)},
        "Product": {"emb": np.array([[1, 0], [0, 1]], dtype=np.float32)},
    }
    a.edges = {("User", "BOUGHT", "Product"): np.array([[0, 2], [1, 0]], dtype=np.int64)}
    return a


def test_hetero_data_keeps_keys_features_and_edges() -> None:
    data = to_hetero_data(_arrays())
    assert data["User"].num_nodes == 3 and data["Product"].num_nodes == 2
    assert data["User"].x.shape == (3, 1) and data["Product"].x.shape == (2, 2)
    ei = data["User", "BOUGHT", "Product"].edge_index
    assert ei.dtype == torch.long and ei.tolist() == [[0, 2], [1, 0]]
    src = node_keys(data, "User", ei[0])
    dst = node_keys(data, "Product", ei[1])
    assert list(zip(src, dst, strict=True)) == [("u1", "p2"), ("u3", "p1")]
    data.validate()


def test_object_properties_are_not_features() -> None:
    a = _arrays()
    a.node_props["User"]["name"] = np.array(["a", "b", "c"], dtype=object)
    data = to_hetero_data(a)
    assert data["User"].x.shape == (3, 1)
