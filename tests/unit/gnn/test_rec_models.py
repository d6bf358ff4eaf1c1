"""Shapes, reprs and resets of every recommender model on a tiny hand-built graph."""

import pytest
import torch

from gnn.message_graph import BOUGHT, build_message_graph
from gnn.models.encoder import NodeEncoder, node_specs
from gnn.models.hetero_sage import HeteroSAGE
from gnn.models.kg_lightgcn import KGLightGCN
from gnn.models.lightgcn import UserItemLightGCN
from gnn.models.mf import MatrixFactorization
from gnn.split import SplitConfig, temporal_split
from gnn.synthetic import toy_purchase_graph

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
EDGE = ("User", BOUGHT, "Product")


def _graph():  # type: ignore[no-untyped-def]
    data = toy_purchase_graph(num_users=12, num_items=9, num_orders=60, seed=4)
    split = temporal_split(data)
    graph, _ = build_message_graph(data, split.interactions, split.t1, SplitConfig())
    return graph


@pytest.mark.parametrize("device", DEVICES)
def test_matrix_factorization(device: str) -> None:
    model = MatrixFactorization(12, 9, dim=8).to(device)
    u, i = model(_graph().to(device))
    assert u.shape == (12, 8) and i.shape == (9, 8)
    assert repr(model) == "MatrixFactorization(12, 9, dim=8)"


@pytest.mark.parametrize("device", DEVICES)
def test_user_item_lightgcn(device: str) -> None:
    graph = _graph().to(device)
    model = UserItemLightGCN(12, 9, EDGE, dim=8, num_layers=2).to(device)
    u, i = model(graph)
    assert u.shape == (12, 8) and i.shape == (9, 8)
    assert model.homogeneous_edges(graph).shape[1] == 2 * graph[EDGE].num_edges
    assert repr(model) == "UserItemLightGCN(12, 9, dim=8, num_layers=2)"


@pytest.mark.parametrize("device", DEVICES)
def test_kg_lightgcn(device: str) -> None:
    graph = _graph()
    model = KGLightGCN(node_specs(graph), graph.edge_types, "User", "Product", 8, 2).to(device)
    u, i = model(graph.to(device))
    assert u.shape == (12, 8) and i.shape == (9, 8)
    assert repr(model) == f"KGLightGCN(8, num_layers=2, relations={len(graph.edge_types)})"
    weights = model.relation_weights()
    into_user = [w for k, w in weights.items() if k.endswith("-User")]
    assert sum(into_user) == pytest.approx(1.0)  # softmax over the relations entering users


@pytest.mark.parametrize("device", DEVICES)
def test_hetero_sage(device: str) -> None:
    graph = _graph()
    model = HeteroSAGE(node_specs(graph), graph.edge_types, "User", "Product", 8, 2).to(device)
    model.eval()
    u, i = model(graph.to(device))
    assert u.shape == (12, 8) and i.shape == (9, 8)
    assert repr(model) == f"HeteroSAGE(8, num_layers=2, relations={len(graph.edge_types)})"


def test_encoder_uses_features_and_tokens_and_resets_deterministically() -> None:
    graph = _graph()
    specs = node_specs(graph)
    assert specs["Product"].x_dim == 2 and specs["Product"].num_tokens > 0
    assert specs["Category"].x_dim == 0
    torch.manual_seed(0)
    enc = NodeEncoder(specs, 8)
    first = enc(graph)["Product"].detach().clone()
    torch.manual_seed(0)
    assert torch.equal(NodeEncoder(specs, 8)(graph)["Product"], first)
    with torch.no_grad():
        enc.ids["Product"].weight.add_(1.0)
    enc.reset_parameters()
    assert enc.ids["Product"].weight.abs().mean() < 0.5  # back to the small initial scale
    assert repr(enc) == f"NodeEncoder(types={len(specs)}, dim=8)"


def test_id_dropout_only_while_training() -> None:
    graph = _graph()
    enc = NodeEncoder(node_specs(graph), 8, id_dropout=1.0)
    enc.train()
    content_only = enc(graph)["Product"]
    enc.eval()
    with_ids = enc(graph)["Product"]
    ids = enc.ids["Product"].weight
    assert torch.allclose(with_ids - content_only, ids)
