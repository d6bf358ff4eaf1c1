"""The live provider through HTTP on the test Neo4j with tiny models trained on the small
marketplace: recommendations and pair scores from embeddings, stored and real-time order risk,
persisted orders, new users folded in, hot swap that survives a broken artefact."""

from __future__ import annotations

import asyncio
import csv
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.keys import KeyStore
from api.models import neighbourhood_params
from api.orders import order_risk
from bench.agreement import measure, stored_checkout
from cartograph.runtime import pseudonymiser
from cartograph.settings import Settings
from cypher.spec import parse
from extraction.checkout import CheckoutCleaner
from extraction.mapping import load_mapping
from gnn.artefacts import load_artefact, point_latest, resolve
from gnn.fraud.online_features import Checkout, Neighbourhood
from gnn.tasks import load_task
from gnn.tasks.runner import train_task
from graph.async_query import AsyncReader
from graph.server import ServerConfig

SECRET = b"integration-test-secret-0123456789"  # the marketplace fixture's ingestion secret
FAST_REC = {"dim": 16, "train": {"max_epochs": 2, "batch_size": 256}}
FAST_FRAUD = {"train": {"dim": 16, "max_epochs": 4, "patience": 2}}
_TRAINED: dict[str, Path] = {}


@pytest.fixture()
def models(marketplace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both tasks trained once per session on the marketplace graph (tiny budgets)."""
    if "dir" not in _TRAINED:
        root = tmp_path_factory.mktemp("models-h5")
        rec = load_task("recommend").model_copy(update={"models": ("bpr-mf",)})  # one, for time
        for spec, fast in ((rec, FAST_REC), (load_task("fraud"), FAST_FRAUD)):
            train_task(marketplace.driver, "neo4j", spec, 7, "cpu", root, **fast)  # type: ignore[arg-type]
        _TRAINED["dir"] = root
    return _TRAINED["dir"]


@pytest.fixture()
def settings(tmp_path: Path, neo4j_server: ServerConfig, models: Path) -> Settings:
    own = tmp_path / "models"
    shutil.copytree(models, own, symlinks=True)
    return Settings(
        api={"keys_file": tmp_path / "keys.json", "max_k": 50},
        neo4j={"http_port": neo4j_server.http_port},
        train={"models_dir": own},
        pseudonym_secret=SecretStr(SECRET.hex()),
    )


@pytest.fixture()
def token(settings: Settings) -> str:
    return KeyStore(settings.api.keys_file).create("service", "test")[1]


@pytest.fixture()
def client(settings: Settings, marketplace, reader: AsyncReader) -> Iterator[TestClient]:
    """Composed like ``cartograph serve``: the ingestion mapping and secret clean checkouts,
    reads of the async routes on the async driver."""
    cleaner = CheckoutCleaner(load_mapping(settings.ingest.mapping), pseudonymiser(settings))
    app = create_app(
        settings, marketplace.driver, live=True, checkout_cleaner=cleaner, reader=reader
    )
    with TestClient(app) as c:
        yield c


def _order_state(mp, key: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """An order's properties and every relationship (type, other end's key), sorted."""
    rows = _q(
        mp,
        "MATCH (o:Order {key: $k}) OPTIONAL MATCH (o)-[r]-(x) "
        "RETURN properties(o) AS props, collect([type(r), x.key]) AS rels",
        k=key,
    )
    return rows[0]["props"], sorted(tuple(r) for r in rows[0]["rels"])


def _h(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


def _q(mp, text: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in mp.driver.execute_query(text, params)[0]]


def _raw_order(data: Path, order_key: str) -> dict[str, Any]:
    """The raw checkout (as the generator wrote it) of a webshop order, with its items."""
    oid = order_key.removeprefix("webshop:")
    with (data / "raw" / "webshop" / "orders.csv").open() as f:
        row = next(r for r in csv.DictReader(f) if r["order_id"] == oid)
    with (data / "raw" / "webshop" / "order_items.csv").open() as f:
        items = [r["product_id"] for r in csv.DictReader(f) if r["order_id"] == oid]
    return {
        "user": f"webshop:{row['customer_id']}",
        "items": [{"product": f"webshop:{p}"} for p in items],
        "card_number": row["card_number"],
        "device": row["device_id"],
        "ip": row["ip"],
        "address": {
            "line1": row["ship_street"],
            "city": row["ship_city"],
            "postcode": row["ship_postcode"],
            "country": row["ship_country"],
        },
        "channel": row["channel"],
    }


def _ring_order(mp) -> str:
    """A webshop order whose card other accounts used before (a ring's later order)."""
    return _q(
        mp,
        "MATCH (o:Order)-[:PAID_WITH]->(c:Card)<-[:PAID_WITH]-(o2:Order)<-[:PLACED]-(v:User) "
        "WHERE o.key STARTS WITH 'webshop:' AND o2.created_at < o.created_at "
        "AND NOT (v)-[:PLACED]->(o) "
        "WITH o, count(DISTINCT v) AS n ORDER BY n DESC, o.key RETURN o.key AS k LIMIT 1",
    )[0]["k"]


# --- readiness and recommendations ---------------------------------------------------------


def test_ready_reports_the_loaded_versions(client: TestClient, models: Path) -> None:
    body = client.get("/ready").json()
    rec, fraud = (load_artefact(resolve(models, t)).version for t in ("recommend", "fraud"))
    assert body["models"]["recommendation"] == rec
    assert body["models"]["online_order_risk"] == fraud


def test_recommendations_from_embeddings(client: TestClient, token: str, marketplace) -> None:
    user = marketplace.user
    r = client.get(f"/users/{user}/recommendations?k=7", headers=_h(token))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"].startswith("recommend/") and len(body["items"]) == 7
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    bought = {x["k"] for x in _q(marketplace, "MATCH (:User {key: $u})-[:PLACED]->()-[:CONTAINS]->"
                                 "(p) RETURN p.key AS k", u=user)}  # fmt: skip
    assert bought and not bought & {i["product"] for i in body["items"]}
    assert all(i["reason"]["via"] in bought for i in body["items"] if i["reason"])
    assert any(i["title"] for i in body["items"])
    pair = {"source": user, "target": body["items"][0]["product"], "type": "RECOMMENDED"}
    scored = client.post("/links/score", json={"pairs": [pair]}, headers=_h(token)).json()
    assert scored["scores"][0]["status"] == "scored"
    assert scored["scores"][0]["score"] == pytest.approx(body["items"][0]["score"], rel=1e-5)


def test_recommendation_bad_input(client: TestClient, token: str, marketplace) -> None:
    assert client.get("/users/webshop:NOPE/recommendations", headers=_h(token)).status_code == 404
    r = client.get(f"/users/{marketplace.user}/recommendations?k=51", headers=_h(token))
    assert r.status_code == 422 and r.json()["error"]["code"] == "E600"
    assert client.get(f"/users/{marketplace.user}/recommendations").status_code == 401
    bad = {"X-API-Key": "cgk_000000000000_wrong"}
    assert client.get(f"/users/{marketplace.user}/recommendations", headers=bad).status_code == 401
    pair = {"source": "webshop:NOPE", "target": marketplace.recommended[0], "type": "RECOMMENDED"}
    r = client.post("/links/score", json={"pairs": [pair]}, headers=_h(token))
    assert r.json()["scores"][0]["status"] == "unknown_source"


def test_account_link_scores_come_from_the_artefact(
    client: TestClient, token: str, models: Path
) -> None:
    art = load_artefact(resolve(models, "fraud"))
    if "pair_index" not in art.tensors or not art.tensors["pair_index"].shape[1]:
        pytest.skip("the tiny fraud model scored no account pairs")
    keys = art.keys[art.manifest["pair_label"]]
    a, b = (keys[int(i)] for i in art.tensors["pair_index"][:, 0])
    pair = {"source": b, "target": a, "type": "LIKELY_SAME_ACTOR"}
    r = client.post("/links/score", json={"pairs": [pair]}, headers=_h(token)).json()
    assert r["scores"][0]["status"] == "scored" and r["scores"][0]["model"] == art.version
    assert r["scores"][0]["score"] == pytest.approx(float(art.tensors["pair_score"][0]))


# --- risk ----------------------------------------------------------------------------------


def test_stored_order_risk_is_the_artefact_score(
    client: TestClient, token: str, marketplace, models: Path
) -> None:
    art = load_artefact(resolve(models, "fraud"))
    key = marketplace.order
    r = client.get(f"/orders/{key}/risk", headers=_h(token))
    assert r.status_code == 200, r.text
    expected = float(art.tensors["scores"][art.keys["Order"].index(key)])
    assert r.json()["risk_score"] == pytest.approx(expected) and r.json()["model"] == art.version
    assert client.get("/orders/webshop:NOPE/risk", headers=_h(token)).status_code == 404


def test_real_time_score_pseudonymises_like_ingestion(
    client: TestClient, token: str, marketplace, marketplace_data: Path
) -> None:
    key = _ring_order(marketplace)
    body = _raw_order(marketplace_data, key)
    r = client.post("/orders/score", json=body, headers=_h(token))
    assert r.status_code == 200, r.text
    out = r.json()
    assert 0.0 <= out["risk_score"] <= 1.0 and out["persisted"] is False
    stored = _q(marketplace, "MATCH (o:Order {key: $k})-[:PAID_WITH]->(c) RETURN c.key AS c", k=key)
    cards = [x for x in out["reasons"] if x["kind"] == "Card"]
    assert cards and cards[0]["node"] == stored[0]["c"]  # same pseudonym as at ingestion
    assert cards[0]["other_users"] >= 1
    assert out["browser"]["query"] == "checkout_graph" and "$card" in out["cypher"]
    assert body["card_number"] not in r.text  # raw identifiers never echoed
    paths = marketplace.driver.execute_query(out["cypher"], out["browser"]["params"])[0]
    assert paths  # the Browser query draws the evidence


@pytest.mark.parametrize(
    "change",
    [
        {"card_number": "4111 1111 1111 1112"},  # fails the Luhn check
        {"items": []},
        {"items": [{"product": "webshop:NOPE"}]},
        {"ip": "999.1.1.1"},
        {"surprise": 1},
        {"created_at": "2025-01-01T00:00:00"},  # no time zone
    ],
)
def test_malformed_orders_are_422(
    client: TestClient, token: str, marketplace, marketplace_data: Path, change: dict
) -> None:
    body = {**_raw_order(marketplace_data, _ring_order(marketplace)), **change}
    r = client.post("/orders/score", json=body, headers=_h(token))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "E600"


def test_persisted_order_and_new_user_recommendations(
    client: TestClient, token: str, marketplace, marketplace_data: Path
) -> None:
    body = _raw_order(marketplace_data, _ring_order(marketplace))
    products = [i["product"] for i in body["items"]]
    new_user, new_key = "webshop:H5-NEW-USER", "webshop:H5-NEW-ORDER"
    body.update(user=new_user, key=new_key, persist=True, email="new.buyer@example.org")
    try:
        before = client.get(f"/users/{new_user}/recommendations", headers=_h(token))
        assert before.status_code == 404  # not a user yet
        r = client.post("/orders/score", json=body, headers=_h(token))
        assert r.status_code == 200, r.text
        assert r.json()["persisted"] and r.json()["key"] == new_key
        row = _q(
            marketplace,
            "MATCH (u:User {key: $u})-[:PLACED]->(o:Order {key: $o})-[:PAID_WITH]->(c:Card) "
            "RETURN o.risk_score AS s, o.risk_model AS m, c.key AS c",
            u=new_user, o=new_key,
        )  # fmt: skip
        assert row and row[0]["s"] == pytest.approx(r.json()["risk_score"])
        assert row[0]["m"] == r.json()["model"]
        # the same key again, with another buyer, card and total: 409, the stored order unchanged
        stored = _order_state(marketplace, new_key)
        other = {**body, "user": marketplace.user, "card_number": "5500 0000 0000 0004",
                 "total": 9999.0}  # fmt: skip
        clash = client.post("/orders/score", json=other, headers=_h(token))
        assert clash.status_code == 409 and clash.json()["error"]["code"] == "E608", clash.text
        assert _order_state(marketplace, new_key) == stored
        recs = client.get(f"/users/{new_user}/recommendations?k=5", headers=_h(token))
        assert recs.status_code == 200, recs.text
        items = [i["product"] for i in recs.json()["items"]]
        assert len(items) == 5 and not set(items) & set(products)
        # a second checkout on the same card now hears from the stored one (incremental)
        again = {**body, "key": "webshop:H5-NEW-ORDER-2"}
        r2 = client.post("/orders/score", json={**again, "persist": False}, headers=_h(token))
        placed = [x for x in r2.json()["reasons"] if x["relation"] == "PLACED"]
        assert placed and placed[0]["impact"] is not None
    finally:
        marketplace.driver.execute_query(
            "MATCH (o:Order) WHERE o.key = $o DETACH DELETE o WITH count(*) AS done "
            "MATCH (u:User {key: $u}) OPTIONAL MATCH (u)-[:HAS_EMAIL]->(e) DETACH DELETE u, e",
            o=new_key,
            u=new_user,
        )


# --- hot swap ------------------------------------------------------------------------------


def test_hot_swap_keeps_serving_on_a_broken_artefact(
    client: TestClient, token: str, settings: Settings, marketplace
) -> None:
    url = f"/users/{marketplace.user}/recommendations?k=3"
    old = client.get(url, headers=_h(token)).json()["model"]
    good = resolve(settings.train.models_dir, "recommend")
    broken = good.parent / "20990101T000000000000Z"
    shutil.copytree(good, broken)
    (broken / "tensors.pt").write_bytes((broken / "tensors.pt").read_bytes()[:100])  # truncated
    point_latest(broken)
    admin = _h(KeyStore(settings.api.keys_file).create("admin", "ops")[1])
    assert client.post("/admin/reload", headers=_h(token)).status_code == 403  # service role
    r = client.post("/admin/reload", headers=admin)
    assert r.status_code == 200 and r.json()["reloaded"] is False
    assert "E523" in r.json()["error"] or "checksum" in r.json()["error"]
    again = client.get(url, headers=_h(token))
    assert again.status_code == 200 and again.json()["model"] == old
    point_latest(good)
    r = client.post("/admin/reload", headers=admin)
    assert r.json()["reloaded"] is True and r.json()["error"] is None
    assert client.post("/admin/reload").status_code == 401


# --- online vs batch -----------------------------------------------------------------------


def test_online_scores_agree_with_batch(client: TestClient, marketplace) -> None:
    provider = client.app.state.ctx.provider.current  # type: ignore[attr-defined]
    orders = [
        r["k"]
        for r in _q(
            marketplace,
            "MATCH (o:Order) WHERE o.key STARTS WITH 'webshop:' RETURN o.key AS k "
            "ORDER BY o.key LIMIT 60",
        )
    ]
    agreement = measure(provider, orders)
    assert agreement.orders == len(orders)
    assert agreement.spearman > 0.8, agreement


# --- one round trip for the checkout's neighbourhood ----------------------------------------

REFERENCE = Path(__file__).parent / "reference"


def _two_reads(provider, c: Checkout) -> Neighbourhood:
    """The neighbourhood as fetched before one query did it: the two reads, kept as reference."""
    p = neighbourhood_params(c)
    spec = {n: parse(n, (REFERENCE / f"{n}.cypher").read_text())
            for n in ("checkout_identifiers", "checkout_account")}  # fmt: skip
    ident = {k: v for k, v in p.items() if k not in ("products", "email")}
    account = {k: p[k] for k in ("user", "products", "email", "order", "at", "max_links")}
    return Neighbourhood(
        provider._run(spec["checkout_identifiers"], **ident).rows,
        provider._run(spec["checkout_account"], **account).rows[0],
    )


def test_one_round_trip_answers_as_the_two_reads(client: TestClient, marketplace) -> None:
    """Same rows, same features, same score and same reasons as the two queries it replaces:
    stored orders re-scored as of their time, plus a new account's checkout on a ring card
    with an e-mail another account has."""
    provider = client.app.state.ctx.provider.current  # type: ignore[attr-defined]
    assert provider.fraud is not None
    keys = [r["k"] for r in _q(marketplace, "MATCH (o:Order) WHERE o.key STARTS WITH 'webshop:' "
                                           "RETURN o.key AS k ORDER BY k LIMIT 40")]  # fmt: skip
    checkouts = [stored_checkout(provider, k) for k in [*keys, _ring_order(marketplace)]]
    email = _q(marketplace, "MATCH (e:Email)<-[:HAS_EMAIL]-(:User) RETURN e.key AS k "
                            "ORDER BY k LIMIT 1")[0]["k"]  # fmt: skip
    checkouts.append(Checkout(user="webshop:never-seen", products=[marketplace.bought],
                              at=datetime(2030, 1, 1, tzinfo=UTC), card=marketplace.ring,
                              email=email))  # fmt: skip
    shared = 0
    for c in checkouts:
        one, two = provider.neighbourhood(c), _two_reads(provider, c)
        assert (one.identifiers, one.account) == (two.identifiers, two.account), c
        a, b = provider.fraud.score(c, one), provider.fraud.score(c, two)
        assert (a.risk, a.features, a.impact, a.neighbours) == (b.risk, b.features, b.impact,
                                                                b.neighbours)  # fmt: skip
        risk_a = order_risk("k", c, one, a, "m", "q", False)
        risk_b = order_risk("k", c, two, b, "m", "q", False)
        assert risk_a.model_dump() == risk_b.model_dump()
        shared += any(r["users"] for r in one.identifiers)
    assert shared >= 2  # the comparison saw identifiers that other accounts share


# --- a slow analyst query beside scoring ----------------------------------------------------

SLOW = parse(
    "slow_cartesian",
    "// Purpose: a query that cannot finish (test only): a cartesian product of every order.\n"
    "// Returns: n\n"
    "MATCH (a:Order), (b:Order), (c:Order) WHERE a.total + b.total + c.total > -1.0\n"
    "RETURN count(*) AS n\n",
)


def test_slow_analyst_queries_do_not_starve_scoring(
    settings: Settings, marketplace, marketplace_data: Path, reader: AsyncReader
) -> None:
    """Two real cartesian products fill the analyst gate and run in Neo4j until their timeout;
    meanwhile real-time order scoring and user risk (async driver, model on a CPU slot) keep
    answering, each long before the slow queries end."""
    timeout_s = 8.0
    api = settings.api.model_copy(update={"query_timeout_s": timeout_s, "analyst_concurrency": 2})
    s = settings.model_copy(update={"api": api})
    cleaner = CheckoutCleaner(load_mapping(s.ingest.mapping), pseudonymiser(s))
    app = create_app(s, marketplace.driver, live=True, checkout_cleaner=cleaner, reader=reader)
    app.state.ctx.queries[SLOW.name] = SLOW
    store = KeyStore(s.api.keys_file)
    analyst, service = (_h(store.create(role, "test")[1]) for role in ("analyst", "service"))
    body = _raw_order(marketplace_data, _ring_order(marketplace))

    async def run() -> tuple[list[float], list[int], float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
            await c.post("/orders/score", json=body, headers=service)  # load the model path
            start = time.monotonic()
            slow = [
                asyncio.create_task(
                    c.post(f"/analyst/queries/{SLOW.name}", json={"params": {}}, headers=analyst)
                )
                for _ in range(2)
            ]
            await asyncio.sleep(1.0)  # both are running in Neo4j now
            rounds: list[float] = []
            while not all(t.done() for t in slow) and time.monotonic() - start < 4 * timeout_s:
                t0 = time.monotonic()
                scored = await c.post("/orders/score", json=body, headers=service)
                user = await c.get(f"/users/{marketplace.user}/risk", headers=service)
                assert (scored.status_code, user.status_code) == (200, 200), scored.text
                rounds.append(time.monotonic() - t0)
            codes = [(await t).status_code for t in slow]
            return rounds, codes, time.monotonic() - start

    rounds, codes, elapsed = asyncio.run(run())
    assert codes == [504, 504]  # stopped by Neo4j at the timeout (E607), not finished
    assert elapsed < timeout_s + 10  # bounded: the timeout ended them
    assert len(rounds) >= 3, rounds  # scoring kept answering while they ran ...
    assert max(rounds) < timeout_s / 2, rounds  # ... none waited for them to end


# --- the right model for the graph (last: it replaces the marketplace graph) ----------------


def test_a_model_trained_on_another_graph_is_refused(
    client: TestClient, settings: Settings, marketplace
) -> None:
    """Models trained on the marketplace (graph A), then the graph behind the service becomes
    another one (B: the small sample graph): reload answers 409 E610 and the running models
    keep serving; a service started on B reports the refusal on /ready (503)."""
    from graph.writer import GraphWriter, apply_schema, clear_database
    from testbeds.sample import SampleSize, sample_graph

    admin = _h(KeyStore(settings.api.keys_file).create("admin", "ops")[1])
    assert client.post("/admin/reload", headers=admin).json()["reloaded"] is True  # A fits A
    assert client.get("/ready").status_code == 200
    clear_database(marketplace.driver)
    apply_schema(marketplace.driver)
    nodes, rels = sample_graph(SampleSize(users=80, products=30, orders=300), seed=3)
    writer = GraphWriter(marketplace.driver, batch_size=500)
    writer.write_nodes(nodes)
    writer.write_relationships(rels)
    r = client.post("/admin/reload", headers=admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "E610"
    assert "trained on another graph" in r.json()["error"]["message"]
    assert "sampled User keys exist here" in r.json()["error"]["message"]
    assert client.get("/ready").status_code == 200  # the models trained for A still serve
    cleaner = CheckoutCleaner(load_mapping(settings.ingest.mapping), pseudonymiser(settings))
    app = create_app(settings, marketplace.driver, live=True, checkout_cleaner=cleaner)
    with TestClient(app) as fresh:
        ready = fresh.get("/ready")
        assert ready.status_code == 503
        assert any("[E610]" in p for p in ready.json()["problems"]), ready.json()
