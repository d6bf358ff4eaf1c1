"""KG-GF: GF-CF plus an item-item filter over the knowledge graph, on graphs checked by hand."""

from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
import torch
import torch_geometric.transforms as T
from torch_geometric.data import HeteroData

from gnn.metrics import evaluate_ranking
from gnn.models.graph_filter import GraphFilterCF, KGGraphFilter, item_links
from gnn.recommend import KNOWN_MODELS, RecommendConfig, train_and_evaluate
from gnn.recommend_final import fit_final
from gnn.split import STATIC_REL_TYPES, SplitConfig
from gnn.synthetic import toy_purchase_graph
from gnn.train import TrainConfig

# users 0..3, items 0..5. Brands: A = {0, 1, 4}, B = {2, 3, 5}. u0 bought 0, u1 bought {0, 1},
# u2 and u3 bought brand B items. Items 4 (brand A) and 5 (brand B) were never bought.
POSITIVES = torch.tensor([[0, 1, 1, 2, 2, 3], [0, 0, 1, 2, 3, 3]])
BRAND = np.array([0, 0, 1, 1, 0, 1])


def _brands() -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(6), (BRAND, np.arange(6))), shape=(2, 6))


def _kg(beta: float = 0.3) -> KGGraphFilter:
    return KGGraphFilter(4, 6, _brands(), beta=beta).fit(POSITIVES)


def test_a_never_bought_item_of_the_users_brand_ranks_above_an_unrelated_one() -> None:
    kg, gf = _kg(), GraphFilterCF(4, 6).fit(POSITIVES)
    s_kg, s_gf = kg(torch.tensor([0]))[0], gf(torch.tensor([0]))[0]
    # gf-cf: items 4 and 5 have no interactions, both get exactly nothing (a tie)
    assert float(s_gf[4]) == float(s_gf[5]) == 0.0
    # kg-gf: item 4 shares u0's brand, item 5 does not
    assert float(s_kg[4]) > 1e-3 and float(s_kg[5]) == 0.0
    # as a ranking with u0's purchase masked: target 4 is found by kg-gf within the top 2
    targets, exclude = torch.tensor([[0], [4]]), torch.tensor([[0], [0]])
    m = evaluate_ranking(kg, torch.tensor([0]), targets, exclude, num_items=6, ks=(2,))
    assert m["recall@2"] == 1.0
    order = torch.argsort(s_kg, descending=True).tolist()
    assert order.index(4) < order.index(5)


def test_kg_term_matches_the_dense_formula_and_beta_zero_is_gf_cf() -> None:
    b = _brands().toarray()
    bn = b / np.sqrt(b.sum(1, keepdims=True)) / np.sqrt(b.sum(0, keepdims=True))
    r = np.zeros((4, 6))
    r[POSITIVES[0].numpy(), POSITIVES[1].numpy()] = 1.0
    gf = GraphFilterCF(4, 6).fit(POSITIVES)(torch.arange(4)).double().numpy()
    got = _kg(0.5)(torch.arange(4)).double().numpy()
    np.testing.assert_allclose(got, gf + 0.5 * r @ (bn.T @ bn), atol=1e-5)
    assert torch.equal(
        _kg(0.0)(torch.arange(4)), GraphFilterCF(4, 6).fit(POSITIVES)(torch.arange(4))
    )


def test_one_sweep_scores_every_weight_as_setting_it_does() -> None:
    """The valid sweep scores GF-CF's part once; each weight's scores must be the model's own
    with that weight, bit for bit, and the weight the model had is left as it was."""
    kg, users = _kg(0.3), torch.arange(4)
    swept = kg.scores_by_beta(users, (0.0, 0.1, 1.0))
    assert kg.beta == 0.3
    for b, scores in swept.items():
        kg.beta = b
        assert torch.equal(scores, kg(users))


def test_two_fits_are_identical_and_links_are_binary() -> None:
    assert torch.equal(_kg()(torch.arange(4)), _kg()(torch.arange(4)))
    doubled = KGGraphFilter(4, 6, _brands() * 3.0, beta=0.3).fit(POSITIVES)
    assert torch.equal(doubled(torch.arange(4)), _kg()(torch.arange(4)))
    with pytest.raises(ValueError, match="item columns"):
        KGGraphFilter(4, 5, _brands())
    empty = KGGraphFilter(4, 6, None)
    assert empty.num_entities == 0 and "entities=0" in repr(empty)


def _catalogue() -> HeteroData:
    g = HeteroData()
    for label, n in (("User", 2), ("Product", 5), ("Brand", 3), ("Review", 1)):
        g[label].num_nodes = n
    g["Review"].time = torch.tensor([1.0])
    g["User", "BOUGHT", "Product"].edge_index = torch.tensor([[0, 1], [0, 1]])
    g["Product", "MADE_BY", "Brand"].edge_index = torch.tensor([[0, 1, 2, 3], [0, 0, 1, 1]])
    # the same pair twice (both directions) and a self-loop: one entity
    g["Product", "COMPATIBLE_WITH", "Product"].edge_index = torch.tensor([[0, 4, 2], [4, 0, 2]])
    g["Review", "REVIEWS", "Product"].edge_index = torch.tensor([[0], [3]])  # behaviour
    return T.ToUndirected()(g)


def test_item_links_take_static_item_relations_only() -> None:
    links, relations = item_links(_catalogue(), "Product", STATIC_REL_TYPES, exclude=("User",))
    assert relations == {"Product-MADE_BY-Brand": 2, "Product-COMPATIBLE_WITH-Product": 1}
    dense = links.toarray()
    assert dense.shape == (3, 5)  # brand 2 links nothing: dropped
    assert sorted(map(tuple, dense.astype(int).tolist())) == [
        (0, 0, 1, 1, 0),
        (1, 0, 0, 0, 1),
        (1, 1, 0, 0, 0),
    ]


FAST = RecommendConfig(dim=8, ks=(5, 10, 20), train=TrainConfig(max_epochs=2, batch_size=128))


def _run(models: tuple[str, ...]) -> dict[str, Any]:
    data = toy_purchase_graph(60, 36, 600, seed=5)
    cfg = RecommendConfig(dim=FAST.dim, ks=FAST.ks, train=FAST.train, models=models)
    return train_and_evaluate(data, SplitConfig(), cfg, seed=7, device="cpu")


def test_link_task_chooses_the_kg_weight_on_valid_and_reports_it() -> None:
    out = _run(("gf-cf", "kg-gf"))
    gf, kg = out["models"]
    info = kg["kg_filter"]
    assert info["relations"] == {"Product-IN_CATEGORY-Category": 6}
    tried = info["valid_recall@20"]
    assert list(tried) == ["0.0", "0.1", "0.3", "1.0"] and str(info["beta"]) in tried
    assert tried[str(info["beta"])] == max(tried.values())
    # beta 0 is gf-cf: the weight chosen on valid can only match or beat it there
    assert tried["0.0"] == gf["valid_metrics"]["recall@20"]
    assert kg["valid_metrics"]["recall@20"] >= gf["valid_metrics"]["recall@20"]
    assert kg["train_config"] is None and kg["params"] == 0 and not kg["is_gnn"]
    assert out["selection"]["served"] == out["selection"]["best_on_valid"]  # a filter serves
    again = _run(("kg-gf",))["models"][0]
    assert again["metrics"] == kg["metrics"] and again["kg_filter"] == info


def test_kg_gf_is_known_and_refit_with_the_weight_chosen_on_valid() -> None:
    assert "kg-gf" in KNOWN_MODELS
    final = fit_final(toy_purchase_graph(seed=5), "kg-gf", 1, beta=0.3)
    assert final.model is None and final.scorer is not None
    assert final.scorer["beta"] == 0.3 and final.scorer["kind"] == "filter"
    assert "filter_links_data" in final.tensors and "source_emb" not in final.tensors
