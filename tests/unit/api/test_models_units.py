"""Pieces of the live provider that need no server: the in-memory recommender and its fold-in,
online features, hot swap and loading ``latest`` (checkout pseudonymisation is tested in
tests/unit/extraction/test_checkout.py)."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import torch

from api.live import HotSwapProvider, load_latest
from api.recommender import Recommender
from gnn.artefacts import Artefact, ArtefactError
from gnn.fraud.online_features import Checkout, Neighbourhood, raw_features


def _rec_artefact() -> Artefact:
    items = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    users = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    history = torch.tensor([[0, 1], [0, 2]])  # user 0 bought item 0, user 1 bought item 2
    return Artefact(
        task="recommend", model="bpr-mf",
        manifest={"source": "User", "target": "Product", "version": "recommend/x"},
        tensors={"source_emb": users, "target_emb": items, "history": history},
        keys={"User": ["u0", "u1"], "Product": ["p0", "p1", "p2", "p3"]},
    )  # fmt: skip


def test_recommender_masks_purchases_and_ranks_by_dot_product() -> None:
    rec = Recommender(_rec_artefact())
    state = rec.state("u0", lambda u: (False, []))
    assert state is not None
    top = rec.top_k(state, 2)
    assert [p for p, *_ in top] == ["p1", "p3"]  # p0 bought: masked
    assert top[0][2] == "p0"  # the reason: the purchase most like p1


def test_new_user_is_folded_in_from_purchases_and_unknown_is_none() -> None:
    rec = Recommender(_rec_artefact())
    calls: list[str] = []

    def purchases(user: str) -> tuple[bool, list[str]]:
        calls.append(user)
        return user == "new", ["p2"] if user == "new" else []

    state = rec.state("new", purchases)
    assert state is not None and state.folded
    assert state.vector is not None and np.allclose(state.vector, [0.0, 1.0])
    assert [p for p, *_ in rec.top_k(state, 1)] == ["p3"]
    rec.state("new", purchases)
    assert calls == ["new"]  # cached after the first lookup
    assert rec.state("ghost", purchases) is None
    rec.bought_now("new", ["p3"], purchases)
    assert [p for p, *_ in rec.top_k(rec.overlay["new"], 4)] == ["p1", "p0"]


def test_top_k_is_cached_until_the_user_buys_and_smaller_k_is_its_prefix() -> None:
    rec = Recommender(_rec_artefact())
    computed: list[int] = []
    top_k = rec.top_k

    def counting(state: object, k: int) -> list[tuple[str, float, str | None, int]]:
        computed.append(k)
        return top_k(state, k)  # type: ignore[arg-type]

    rec.top_k = counting  # type: ignore[method-assign]
    none: Callable[[str], tuple[bool, list[str]]] = lambda u: (False, [])  # noqa: E731
    state = rec.state("u0", none)
    assert state is not None
    first = rec.recommend("u0", state, 3)
    assert first == top_k(state, 3) and [p for p, *_ in first] == ["p1", "p3", "p2"]
    assert rec.recommend("u0", state, 3) == first and rec.recommend("u0", state, 2) == first[:2]
    assert computed == [3]  # both answered from the cache
    rec.recommend("u0", state, 4)
    assert computed == [3, 4]  # a larger K is computed (and kept)
    rec.bought_now("u0", ["p1"], none)  # a persisted purchase invalidates the user's entry
    after = rec.recommend("u0", rec.overlay["u0"], 3)
    assert computed == [3, 4, 3] and "p1" not in [p for p, *_ in after]
    assert Recommender(_rec_artefact()).cache == {}  # a reload starts empty


def test_recommender_refuses_mismatched_artefact() -> None:
    art = _rec_artefact()
    art.keys["Product"] = art.keys["Product"][:3]
    with pytest.raises(ArtefactError):
        Recommender(art)


def test_online_features_follow_the_batch_definitions() -> None:
    at = datetime(2025, 6, 2, 12, tzinfo=UTC)
    c = Checkout(user="u", products=["p"], at=at, card="card:1", device="device:1",
                 platform="webshop", channel="app")  # fmt: skip
    nb = Neighbourhood(
        identifiers=[
            {"kind": "Card", "rel": "PAID_WITH", "node": "card:1", "users": 3, "has_user": False,
             "user_keys": ["a", "b", "c"], "orders_24h": 2, "orders_7d": 4, "known_bad": 1,
             "recent": ["o1"], "country": None},
        ],
        account={"found": True, "born": at - timedelta(days=10), "country": "DE", "prior": 2,
                 "recent": ["o0"], "used": ["card:0"], "tied": ["d"],
                 "products": [{"key": "p", "found": True, "price": 9.0, "recent": ["o2"]}]},
    )  # fmt: skip
    f = raw_features(c, nb, {"platform": ["shop", "webshop"], "channel": ["app", "web"]})
    assert f["users_per_Card"] == 4  # three others plus this buyer
    assert f["users_per_Device"] == 1 and f["Device_orders_7d"] == 0  # a new device
    assert f["Card_orders_24h"] == 2 and f["known_bad_Card"] == 1
    assert f["new_Card_for_user"] == 1.0 and f["user_prior_orders"] == 2
    assert f["user_degree"] == 3 and f["component_users"] == 5
    assert f["tab_account_age_days"] == pytest.approx(10.0)
    assert f["tab_platform"] == 1.0 and f["tab_channel"] == 0.0 and f["tab_hour"] == 12.0
    assert f["tab_log_total"] == pytest.approx(np.log1p(9.0))
    assert nb.neighbours() == {"PLACED": ["o0"], "PAID_WITH": ["o1"], "CONTAINS": ["o2"]}


class _Fixed:
    def __init__(self, name: str) -> None:
        self.name = name

    def status(self) -> dict[str, str]:
        return {"recommendation": self.name}


def test_hot_swap_keeps_the_old_provider_when_the_new_one_fails() -> None:
    builds = iter([_Fixed("v1"), ArtefactError("truncated", code="E523"), _Fixed("v3")])

    def build() -> _Fixed:
        item = next(builds)
        if isinstance(item, _Fixed):
            return item
        raise item  # type: ignore[misc]

    swap = HotSwapProvider(build, lambda: 0, lambda: _Fixed("stored"), check_every_s=1e9)  # type: ignore[arg-type, return-value]
    assert swap.status() == {"recommendation": "v1"}
    ok, error = swap.reload()
    assert not ok and error and "truncated" in error
    assert swap.status() == {"recommendation": "v1"}
    assert swap.reload() == (True, None) and swap.status() == {"recommendation": "v3"}


def test_hot_swap_falls_back_to_stored_scores_at_start() -> None:
    def broken() -> _Fixed:
        raise ArtefactError("bad", code="E524")

    swap = HotSwapProvider(broken, lambda: 0, lambda: _Fixed("stored"))  # type: ignore[arg-type, return-value]
    assert swap.status() == {"recommendation": "stored"} and swap.last_error


def test_load_latest_is_none_before_training_and_raises_when_broken(tmp_path: Path) -> None:
    assert load_latest(tmp_path, "fraud") is None
    broken = tmp_path / "fraud" / "v1"
    broken.mkdir(parents=True)
    (tmp_path / "fraud" / "latest").symlink_to("v1")
    with pytest.raises(ArtefactError):
        load_latest(tmp_path, "fraud")
