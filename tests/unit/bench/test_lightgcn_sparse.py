"""The LightGCN speed bench compares like with like: its reference is the same function as the
model it times, on distinct power-law pairs; its table divides by the reference."""

import argparse

import torch
from torch_geometric.data import HeteroData

from bench.lightgcn_sparse import EDGE, ReferenceLightGCN, power_law_pairs, run, table
from gnn.models.lightgcn import UserItemLightGCN


def test_pairs_are_distinct_and_in_range() -> None:
    pairs = power_law_pairs(50, 30, 400, seed=1)
    assert pairs.shape == (2, 400) and int(pairs[0].max()) < 50 and int(pairs[1].max()) < 30
    assert torch.unique(pairs[0] * 30 + pairs[1]).numel() == 400


def test_reference_computes_the_models_embeddings() -> None:
    pairs = power_law_pairs(40, 25, 200, seed=2)
    graph = HeteroData()
    graph[EDGE].edge_index = pairs
    ours = UserItemLightGCN(40, 25, EDGE, dim=8, num_layers=3)
    ref = ReferenceLightGCN(pairs, 40, 25, 8, 3)
    with torch.no_grad():
        ref.emb.weight.copy_(ours.embedding.weight)
    for a, b in zip(ours(graph), ref(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=0)


def test_a_tiny_run_and_its_table() -> None:
    args = argparse.Namespace(users=60, items=40, interactions=500, batch=128, negatives=2,
                              dim=8, layers=2, epochs=2, seed=3, pyg=True)  # fmt: skip
    result = run(args)
    assert set(result["times"]) == {"cartograph", "reference", "pyg"}
    assert all(len(v) == 2 for v in result["times"].values()) and result["steps_per_epoch"] == 4
    out = table({"times": {"reference": [2.0, 2.0], "cartograph": [3.0, 3.0]}})
    assert "| cartograph | 3.000 | 2 | 1.50 |" in out and "| reference | 2.000 | 2 | 1.00 |" in out
