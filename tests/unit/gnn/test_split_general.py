"""The split on graphs that are not the marketplace: a direct timed relationship
(``(User)-[:RATED {time}]->(Movie)``) and a given train/valid/test split property."""

import dataclasses

import numpy as np
import pytest
import torch
from torch_geometric.data import HeteroData

from gnn.features import recommend_data
from gnn.link_data import _without_split_text, attach_split_codes, link_properties
from gnn.message_graph import BOUGHT, build_message_graph
from gnn.recommend import ALL_MODELS, RecommendConfig, make_fold, train_and_evaluate
from gnn.recommend_final import fit_final
from gnn.split import SplitConfig, SplitError, split_codes, temporal_split
from gnn.synthetic import toy_purchase_graph
from gnn.train import TrainConfig
from graph.reader import GraphArrays

DIRECT = SplitConfig(
    user="User", item="Movie", relationship="RATED", static_rel_types=("IN_GENRE",)
)
GIVEN = SplitConfig(
    user="User", item="Movie", relationship="RATED", kind="given", static_rel_types=("IN_GENRE",)
)


def rating_graph(num_users: int = 30, num_items: int = 20, num_ratings: int = 300) -> HeteroData:
    """Users rate movies (mostly of their favourite genre) with a time and a split code; a
    timed ``Review`` node type stands for anything else with a time."""
    rng = np.random.default_rng(0)
    n_genre = 4
    item_genre = np.arange(num_items) % n_genre
    fav = rng.integers(0, n_genre, num_users)
    user = rng.integers(0, num_users, num_ratings)
    own = [rng.choice(np.flatnonzero(item_genre == g)) for g in fav[user]]
    item = np.where(rng.random(num_ratings) < 0.8, own, rng.integers(0, num_items, num_ratings))
    data = HeteroData()
    for label, n in (("User", num_users), ("Movie", num_items), ("Genre", n_genre)):
        data[label].node_key = [f"{label}{i}" for i in range(n)]
        data[label].num_nodes = n
    data["Movie"].time = torch.full((num_items,), 5e8, dtype=torch.float64)  # release dates
    rated = data["User", "RATED", "Movie"]
    rated.edge_index = torch.from_numpy(np.stack([user, item]))
    rated.time = torch.from_numpy(1e9 + np.arange(num_ratings, dtype=np.float64) * 1000.0)
    # a given split unrelated to time: every 5th rating is test, the one after it valid
    names = np.array(["train"] * num_ratings, dtype=object)
    names[::5], names[1::5] = "test", "valid"
    rated.split = split_codes(names)
    data["Movie", "IN_GENRE", "Genre"].edge_index = torch.stack(
        [torch.arange(num_items), torch.from_numpy(item_genre)]
    )
    data["Review"].node_key = ["R0", "R1"]
    data["Review"].num_nodes = 2
    data["Review"].time = torch.tensor([1e9, 2e9], dtype=torch.float64)
    data["User", "WROTE", "Review"].edge_index = torch.tensor([[0, 1], [0, 1]])
    return data


def test_split_codes_accept_common_names_and_reject_the_rest() -> None:
    codes = split_codes(["train", "Valid", "validation", "TEST", "dev", "holdout", None])
    assert codes.tolist() == [0, 1, 1, 2, 1, -1, -1]


def test_direct_relationship_is_split_by_its_own_time() -> None:
    data = rating_graph()
    split = temporal_split(data, DIRECT)
    assert len(split.interactions) == data["User", "RATED", "Movie"].num_edges
    d = split.describe()
    assert d["interaction"] == "(User)-[:RATED]->(Movie)"
    assert d["interactions"] == {"train": 240, "valid": 30, "test": 30}
    assert bool((split.interactions.time[1:] >= split.interactions.time[:-1]).all())


def test_direct_relationship_enters_the_training_graph_once_as_bought() -> None:
    data = rating_graph()
    split = temporal_split(data, DIRECT)
    graph, _ = build_message_graph(
        data, split.interactions.window(None, split.t1), split.t1, DIRECT
    )
    assert ("User", "RATED", "Movie") not in graph.edge_types
    bought = graph["User", BOUGHT, "Movie"]
    assert bought.num_edges > 0 and bool((bought.time < split.t1).all())
    assert ("Movie", "IN_GENRE", "Genre") in graph.edge_types
    assert graph["Review"].num_nodes == 1  # the review after the cut is left out


def test_missing_time_on_the_relationship_is_a_clear_error() -> None:
    data = rating_graph()
    del data["User", "RATED", "Movie"].time
    with pytest.raises(SplitError, match="E502"):
        temporal_split(data, DIRECT)
    with pytest.raises(SplitError, match="E501"):
        temporal_split(data, SplitConfig(user="User", item="Movie", relationship="LIKED"))


def test_given_split_follows_the_property_not_the_time() -> None:
    data = rating_graph()
    split = temporal_split(data, GIVEN)
    assert (split.t1, split.t2) == (1.0, 2.0)
    d = split.describe()
    assert d["kind"].startswith("given")
    assert d["interactions"] == {"train": 180, "valid": 60, "test": 60}
    codes = data["User", "RATED", "Movie"].split
    test = split.interactions.window(2.0, None)
    # the test interactions are exactly the rated pairs coded test, whatever their time
    rated = data["User", "RATED", "Movie"].edge_index[:, codes == 2]
    assert sorted(zip(*rated.tolist(), strict=True)) == sorted(
        zip(test.user.tolist(), test.item.tolist(), strict=True)
    )


def test_given_split_leaves_timed_context_out_of_the_training_graph() -> None:
    data = rating_graph()
    split = temporal_split(data, GIVEN)
    for cut in (split.t1, split.t2):
        history = split.interactions.window(None, cut)
        graph, left_out = build_message_graph(data, history, cut, GIVEN)
        assert graph["User", BOUGHT, "Movie"].num_edges == history.pairs(20).numel()
        assert graph["Movie"].num_nodes == 20  # the items' own time is not the split's clock
        assert "Review" not in graph.node_types
        assert left_out["timed_under_given_split"] == ["Review", "WROTE"]
    assert "time" in data["Movie"]  # the caller's graph is untouched


def test_given_split_with_a_missing_period_is_an_error() -> None:
    data = rating_graph()
    data["User", "RATED", "Movie"].split = torch.zeros(300, dtype=torch.long)
    with pytest.raises(SplitError, match="E505"):
        temporal_split(data, GIVEN)


def test_given_split_on_an_event_path() -> None:
    data = toy_purchase_graph(seed=4)
    n = data["Order"].num_nodes
    data["Order"].split = torch.tensor([0, 0, 0, 1, 2] * (n // 5))
    cfg = SplitConfig(kind="given")
    split = temporal_split(data, cfg)
    assert split.describe()["interactions"]["valid"] == (data["Order"].split == 1).sum()
    graph, left_out = build_message_graph(data, split.interactions.window(None, 1.0), 1.0, cfg)
    assert "Review" in left_out["timed_under_given_split"]
    assert graph["User", BOUGHT, "Product"].num_edges > 0


@pytest.mark.parametrize("cfg", [DIRECT, GIVEN], ids=["temporal", "given"])
def test_every_model_runs_on_a_rating_graph(cfg: SplitConfig) -> None:
    data = rating_graph()
    model_cfg = RecommendConfig(dim=8, train=TrainConfig(max_epochs=2, batch_size=128, patience=1))
    out = train_and_evaluate(data, cfg, model_cfg, seed=3, device="cpu")
    assert [m["name"] for m in out["models"]] == list(ALL_MODELS)  # gf-cf included
    for m in out["models"]:
        assert 0.0 <= m["metrics"]["recall@20"] <= 1.0
    assert out["split"]["eval"]["test"]["users"] > 0


def test_link_export_asks_for_the_interaction_time_and_split() -> None:
    nodes, edges = link_properties(DIRECT, {"Movie": ["title"]}, {})
    assert edges == {"RATED": ["created_at", "split"]} and nodes == {"Movie": ["title"]}
    nodes, edges = link_properties(SplitConfig(kind="given"), {"Order": ["created_at"]}, {})
    assert nodes == {"Order": ["created_at", "split"]} and edges == {}


def test_split_names_become_codes_and_never_tokens() -> None:
    arrays = GraphArrays(
        node_keys={"User": ["u0", "u1"], "Movie": ["m0"]},
        node_props={"Movie": {"split": np.array(["test"], dtype=object)}},
        edges={("User", "RATED", "Movie"): np.array([[0, 1], [0, 0]])},
        edge_props={
            ("User", "RATED", "Movie"): {
                "created_at": np.array([1.0, 2.0], dtype=np.float32),
                "split": np.array(["train", "valid"], dtype=object),
            }
        },
    )
    data = recommend_data(_without_split_text(arrays), min_count=1, max_df=1.0)
    attach_split_codes(data, arrays)
    assert data["User", "RATED", "Movie"].split.tolist() == [0, 1]
    assert data["Movie"].split.tolist() == [2]
    assert "tokens" not in data["Movie"]  # "split:test" must not be a feature


def _train_and_test_only() -> HeteroData:
    data = rating_graph()
    codes = data["User", "RATED", "Movie"].split
    codes[codes == 1] = 0  # a published split: train and test, no valid
    return data


def test_a_given_split_without_valid_carves_one_from_train_seeded() -> None:
    data = _train_and_test_only()
    n_train = int((data["User", "RATED", "Movie"].split == 0).sum())
    split = temporal_split(data, GIVEN)
    out = split.describe()
    assert out["interactions"]["valid"] == round(0.1 * n_train) == split.carved_valid
    assert out["interactions"]["train"] == n_train - split.carved_valid
    assert out["interactions"]["test"] == 60  # the given test part is untouched
    assert out["valid_carved_from_train"] == {
        "interactions": split.carved_valid, "share_of_train": 0.1, "seed": 7
    }  # fmt: skip
    again = temporal_split(data, GIVEN)
    assert torch.equal(again.interactions.user, split.interactions.user)
    other = temporal_split(data, dataclasses.replace(GIVEN, seed=8))
    assert not torch.equal(other.interactions.item, split.interactions.item)
    assert "valid_carved_from_train" not in temporal_split(rating_graph(), GIVEN).describe()


def test_a_given_split_without_test_is_still_an_error() -> None:
    data = rating_graph()
    codes = data["User", "RATED", "Movie"].split
    codes[codes == 2] = 0
    with pytest.raises(SplitError, match=r"\[E505\].*no test"):
        temporal_split(data, GIVEN)


def test_the_split_property_name_is_the_specs() -> None:
    cfg = dataclasses.replace(DIRECT, kind="given", split_property="fold")
    _, edges = link_properties(cfg, {}, {})
    assert edges == {"RATED": ["created_at", "fold"]}
    arrays = GraphArrays(
        node_keys={"User": ["u0"], "Movie": ["m0"]},
        node_props={},
        edges={("User", "RATED", "Movie"): np.array([[0, 0], [0, 0]])},
        edge_props={("User", "RATED", "Movie"): {"fold": np.array(["test", "train"], dtype=object),
                                                 "split": np.array(["x", "x"], dtype=object)}},
    )  # fmt: skip
    data = recommend_data(_without_split_text(arrays, "fold"), min_count=1, max_df=1.0)
    attach_split_codes(data, arrays, "fold")
    assert data["User", "RATED", "Movie"].split.tolist() == [2, 0]
    assert "given, property 'fold'" in temporal_split(rating_graph(), cfg).describe()["kind"]


def test_a_valid_sample_keeps_whole_users() -> None:
    data = rating_graph()
    split = temporal_split(data, GIVEN)
    fold = make_fold(data, split, "valid")
    sample = fold.eval.sample(5, seed=1)
    assert sample.num_users == 5 and fold.eval.sample(10_000, 1) is fold.eval
    for row, user in enumerate(sample.users.tolist()):
        full_row = fold.eval.users.tolist().index(user)
        want = fold.eval.targets[1, fold.eval.targets[0] == full_row]
        assert torch.equal(sample.targets[1, sample.targets[0] == row], want)
    assert torch.equal(fold.eval.sample(5, seed=1).users, sample.users)


@pytest.mark.parametrize("refit", ["train", "train+valid", "all"])
def test_the_served_model_learns_only_what_refit_names(refit: str) -> None:
    data = rating_graph()
    model_cfg = RecommendConfig(dim=8, train=TrainConfig(max_epochs=1, batch_size=128))
    final = fit_final(data, "bpr-mf", 1, GIVEN, model_cfg, 3, "cpu", refit)  # type: ignore[arg-type]
    codes = data["User", "RATED", "Movie"].split
    periods = {"train": (0,), "train+valid": (0, 1), "all": (0, 1, 2)}[refit]
    seen = data["User", "RATED", "Movie"].edge_index[:, torch.isin(codes, torch.tensor(periods))]
    assert torch.equal(
        torch.unique(final.history, dim=1), torch.unique(seen, dim=1)
    )  # exactly those pairs are history (masked when serving), nothing from later periods
    assert final.config["refit"] == refit


def test_content_ablation_is_opt_in() -> None:
    from gnn.tasks.link import recommend_config
    from gnn.tasks.spec import TaskSpec

    base = {"name": "x", "kind": "link_prediction", "source": "U", "target": "M",
            "interaction": {"relationship": "R"}}  # fmt: skip
    assert recommend_config(TaskSpec.model_validate(base)).ablate_text == ()
    asked = TaskSpec.model_validate({**base, "ablations": ["content"]})
    assert recommend_config(asked).ablate_text == ("kg-lightgcn",)
    no_kg = TaskSpec.model_validate({**base, "ablations": ["content"], "models": ["bpr-mf"]})
    assert recommend_config(no_kg).ablate_text == ()
