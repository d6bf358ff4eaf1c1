"""Training-free recommenders served end to end: refit, stored as an artefact (matrices, not
embeddings), loaded back and ranked by ``cartograph score``'s path and the API's, with the same
scores the evaluation ranked by."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from api.recommender import Recommender
from gnn.artefacts import Artefact, load_artefact, save_artefact
from gnn.models.graph_filter import GraphFilterCF, ItemFilter
from gnn.recommend import RecommendConfig, train_and_evaluate
from gnn.recommend_final import fit_final
from gnn.score import link_scores, rank
from gnn.served import FilterServed, served_model
from gnn.split import SplitConfig
from gnn.synthetic import toy_purchase_graph
from gnn.train import TrainConfig

FILTERS = ("popularity", "item-knn", "gf-cf", "kg-gf")


def _artefact(name: str, beta: float = 0.0) -> tuple[Artefact, object]:
    data = toy_purchase_graph(60, 36, 600, seed=5)
    final = fit_final(data, name, 0, SplitConfig(), RecommendConfig(), 7, "cpu", "all", beta)
    keys = {"User": list(data["User"].node_key), "Product": list(data["Product"].node_key)}
    manifest = {"source": "User", "target": "Product", "version": f"recommend/{name}"}
    manifest["scorer"] = final.scorer
    return Artefact("recommend", name, manifest, final.tensors, keys), final


@pytest.mark.parametrize("name", FILTERS)
def test_a_filter_artefact_scores_like_the_fitted_model_after_a_disk_round_trip(
    name: str, tmp_path: Path
) -> None:
    art, final = _artefact(name, beta=0.3)
    assert "source_emb" not in art.tensors and final.scorer is not None  # type: ignore[attr-defined]
    loaded = load_artefact(save_artefact(tmp_path, art))  # weights_only: plain tensors only
    model = served_model(loaded)
    assert isinstance(model, FilterServed) and model.exact_fold_in
    history = final.history  # type: ignore[attr-defined]
    users = torch.arange(model.num_users)
    stored = model.block_scores(users)
    # the reference: the same model fitted directly on the same purchases
    if name == "gf-cf":
        ref = GraphFilterCF(model.num_users, model.num_items).fit(history)(users)
        assert torch.equal(stored, ref)  # one arithmetic path: bit-identical
    assert torch.isfinite(stored).all() and stored.shape == (60, 36)
    # ranking: history masked, each user's rows in descending score
    links = list(link_scores(loaded, 5))
    bought = {(int(u), int(i)) for u, i in history.T.tolist()}
    row = {k: i for i, k in enumerate(loaded.keys["User"])}
    col = {k: i for i, k in enumerate(loaded.keys["Product"])}
    assert links and not any((row[r.start], col[r.end]) in bought for r in links)
    for r in links[:20]:
        assert r.score == pytest.approx(float(stored[row[r.start], col[r.end]]))


def test_gf_cf_artefact_ranks_exactly_as_the_evaluation_scorer() -> None:
    art, final = _artefact("gf-cf")
    history = final.history  # type: ignore[attr-defined]
    ref = GraphFilterCF(60, 36).fit(history)
    scores = ref(torch.arange(60))
    scores[history[0], history[1]] = -torch.inf
    _, order = rank(scores, 5)
    by_user: dict[str, list[str]] = {}
    for r in link_scores(art, 5):
        by_user.setdefault(r.start, []).append(r.end)
    keys = art.keys["Product"]
    for u, k in enumerate(art.keys["User"]):
        assert by_user.get(k, []) == [keys[i] for i in order[u].tolist()][: len(by_user.get(k, []))]


def test_the_api_folds_in_an_unseen_user_exactly_for_a_filter() -> None:
    art, _ = _artefact("gf-cf")
    rec = Recommender(art)
    known = rec.state("U0", lambda u: (False, []))
    assert known is not None and known.bought
    bought = [rec.item_keys[i] for i in sorted(known.bought)]
    new = rec.state("newcomer", lambda u: (u == "newcomer", bought))
    assert new is not None and new.folded
    # a filter's scores depend only on the purchases: same purchases, same answer
    assert rec.top_k(new, 10) == rec.top_k(known, 10)
    top = rec.top_k(known, 3)
    assert all(p not in bought for p, *_ in top)
    assert all(via in bought for _, _, via, _ in top if via is not None)
    assert rec.score(known, top[0][0]) == pytest.approx(top[0][1])
    # a purchase re-scores even a known user (exact), and masks the product
    rec.bought_now("U0", [top[0][0]], lambda u: (False, []))
    after = rec.overlay["U0"]
    assert top[0][0] not in [p for p, *_ in rec.top_k(after, 10)]
    assert after.vector is not None and len(after.vector) == len(known.bought) + 1


def test_explain_names_the_purchase_that_adds_most() -> None:
    # item 2's score comes from neighbours 0 (0.9) and 1 (0.1): item 0 is the reason
    history = sp.csr_matrix(np.array([[1, 1, 0, 0]], dtype=np.float32))
    sim = sp.csr_matrix(np.array([[0, 0, 0, 0], [0, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 0, 0, 0]]))
    f = ItemFilter(history, sim=sim, popularity=np.zeros(4, np.float32), pop_weight=1e-6)
    assert f.explain([0, 1], [2, 3]) == [(0, 2), (None, 0)]
    assert f.score_rows(f.row([0, 1]))[0, 2] == pytest.approx(1.0)


def test_the_best_on_valid_is_served_whatever_its_kind() -> None:
    data = toy_purchase_graph(60, 36, 600, seed=5)
    train = TrainConfig(max_epochs=2, batch_size=256, patience=1)
    cfg = RecommendConfig(dim=8, ks=(10, 20), train=train, models=("popularity", "gf-cf", "bpr-mf"))
    out = train_and_evaluate(data, SplitConfig(), cfg, seed=7, device="cpu")
    valid = {m["name"]: m["valid_metrics"]["recall@20"] for m in out["models"]}
    assert out["selection"]["served"] == max(valid, key=lambda k: valid[k])
    assert "note" not in out["selection"]


def test_the_low_pass_basis_is_computed_once_per_matrix() -> None:
    pos = torch.tensor([[0, 0, 1, 2, 2, 3, 4], [0, 1, 1, 2, 3, 3, 0]])
    a = GraphFilterCF(5, 4, rank=2).fit(pos)
    b = GraphFilterCF(5, 4, rank=2).fit(pos)  # kg-gf and the served refit fit the same matrix
    c = GraphFilterCF(5, 4, rank=2, seed=1).fit(pos)
    assert a.v is b.v and a.v is not c.v and not a.v.flags.writeable
