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


def test_sparse_lightgcn_is_pygs_lightgcn() -> None:
    """Same function and gradient as ``torch_geometric.nn.models.LightGCN`` on the same weights
    (duplicate edges included: both sum them)."""
    from torch_geometric.nn.models import LightGCN

    graph = _graph()
    extra = graph[EDGE].edge_index[:, :5]
    graph[EDGE].edge_index = torch.cat([graph[EDGE].edge_index, extra], dim=1)
    model = UserItemLightGCN(12, 9, EDGE, dim=8, num_layers=3)
    ref = LightGCN(21, 8, 3)
    with torch.no_grad():
        ref.embedding.weight.copy_(model.embedding.weight)
    u, i = model(graph)
    emb = ref.get_embedding(model.homogeneous_edges(graph))
    torch.testing.assert_close(torch.cat([u, i]), emb, atol=1e-6, rtol=0)
    (u.pow(2).sum() + i.sum()).backward()
    (emb[:12].pow(2).sum() + emb[12:].sum()).backward()
    assert model.embedding.weight.grad is not None and ref.embedding.weight.grad is not None
    torch.testing.assert_close(model.embedding.weight.grad, ref.embedding.weight.grad)
    assert model.adjacency(graph) is model.adjacency(graph)  # built once per graph


def _kg_reference(model: KGLightGCN, graph) -> tuple[torch.Tensor, torch.Tensor]:  # type: ignore[no-untyped-def]
    """The edge-list form KG-LightGCN had before its sparse matrices: index_add per relation."""
    h = model.encoder(graph)
    mix = model._relation_mix()
    gain = torch.nn.functional.softplus(model.recency_gain)
    total = {t: v / (model.num_layers + 1) for t, v in h.items()}
    for _ in range(model.num_layers):
        out = {t: torch.zeros_like(v) for t, v in h.items()}
        for k, et in enumerate(model.edge_types):
            src, dst = graph[et].edge_index
            n_s, n_d = h[et[0]].shape[0], h[et[2]].shape[0]
            deg_s = torch.bincount(src, minlength=n_s).clamp(min=1).float()
            deg_d = torch.bincount(dst, minlength=n_d).clamp(min=1).float()
            w = (deg_s[src] * deg_d[dst]).rsqrt()
            if model.recency_days is not None and "time" in graph[et]:
                age = (graph[et].time.max() - graph[et].time).float() / 86_400.0
                w = w * (1.0 + gain * torch.exp(-age / model.recency_days))
            out[et[2]] = out[et[2]].index_add(0, dst, h[et[0]][src] * (w * mix[k]).unsqueeze(-1))
        h = out
        total = {t: total[t] + v / (model.num_layers + 1) for t, v in h.items()}
    return total["User"], total["Product"]


@pytest.mark.parametrize("recency", [None, 30.0])
def test_sparse_kg_lightgcn_matches_the_edge_list_form(recency: float | None) -> None:
    graph = _graph()
    model = KGLightGCN(node_specs(graph), graph.edge_types, "User", "Product", 8, 2,
                       recency_days=recency)  # fmt: skip
    with torch.no_grad():
        model.rel_logit.normal_()
        model.recency_gain.fill_(0.7)
    model.eval()
    u, i = model(graph)
    ru, ri = _kg_reference(model, graph)
    torch.testing.assert_close(u, ru, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(i, ri, atol=1e-5, rtol=1e-5)
    params = [model.rel_logit] + ([model.recency_gain] if recency else [])
    if recency:
        assert any("time" in graph[et] for et in model.edge_types)  # the boost is exercised
    grads = torch.autograd.grad(u.pow(2).sum() + i.sum(), params)
    ref = torch.autograd.grad(ru.pow(2).sum() + ri.sum(), params)
    for g, r in zip(grads, ref, strict=True):
        torch.testing.assert_close(g, r, atol=1e-4, rtol=1e-4)
