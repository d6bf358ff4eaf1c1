"""The built-in marketplace generator: determinism, shape, truth consistency and realism hooks.

One small dataset is generated per module (plus one more with the same seed and one with another
seed for the determinism checks); every test reads the files the way a consumer would.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from testbeds.marketplace import MANIFEST, SMALL, GenerationSummary, generate
from testbeds.marketplace.ids import OpaqueIds, card_number, luhn_valid

END_DATE = "2025-12-31"
SEED = 7


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    return generate("small", SEED, tmp_path_factory.mktemp("small_a"))


@pytest.fixture(scope="module")
def out(run: GenerationSummary) -> Path:
    return run.out_dir


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def _manifest(out_dir: Path) -> dict[str, object]:
    return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))


def _shas(out_dir: Path) -> dict[str, str]:
    files = _manifest(out_dir)["files"]
    assert isinstance(files, list)
    return {f["path"]: f["sha256"] for f in files}


def _raw_orders(out: Path) -> list[dict[str, str]]:
    """Both platforms' orders flattened to (id, account, device, card, ip, address)."""
    rows = [
        {
            "order_id": r["order_id"],
            "account": r["customer_id"],
            "device": r["device_id"],
            "card": r["card_number"],
            "ip": r["ip"],
            "address": f"{r['ship_street'].strip().lower()}|{r['ship_postcode']}",
            "created": r["order_date"],
        }
        for r in _csv(out / "raw/webshop/orders.csv")
    ]
    for o in _jsonl(out / "raw/marketplace/orders.jsonl"):
        shipping = o["shipping"]
        payment = o["payment"]
        assert isinstance(shipping, dict) and isinstance(payment, dict)
        rows.append(
            {
                "order_id": str(o["order_id"]),
                "account": str(o["buyer_id"]),
                "device": str(o["device_id"]),
                "card": str(payment["card_number"]),
                "ip": str(o["ip"]),
                "address": str(shipping["address"]).lower(),
                "created": str(o["created"]),
            }
        )
    return rows


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_identical_files(run: GenerationSummary, tmp_path: Path) -> None:
    again = generate("small", SEED, tmp_path / "again")
    assert _shas(again.out_dir) == _shas(run.out_dir)
    assert (again.out_dir / MANIFEST).read_bytes() == (run.out_dir / MANIFEST).read_bytes()


def test_different_seed_gives_different_files(run: GenerationSummary, tmp_path: Path) -> None:
    other = _shas(generate("small", SEED + 1, tmp_path / "other").out_dir)
    mine = _shas(run.out_dir)
    assert other.keys() == mine.keys()
    assert all(other[k] != mine[k] for k in mine if k.startswith("raw/"))


def test_unknown_scale_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        generate("huge", 1, tmp_path)


# --- shape ---------------------------------------------------------------------------------


def test_counts_within_the_scale_bounds(run: GenerationSummary, out: Path) -> None:
    n_orders = sum(run.orders.values())
    assert 0.9 * SMALL.n_orders <= n_orders <= 1.1 * SMALL.n_orders
    persons = {r["person_id"] for r in _csv(out / "truth/accounts.csv")}
    real = {p for p in persons if p.startswith("P")}
    assert 0.9 * SMALL.n_persons <= len(real) <= SMALL.n_persons
    canonical = {r["canonical_product_id"] for r in _csv(out / "truth/products.csv")}
    assert len(canonical) == SMALL.n_products
    assert run.orders["webshop"] > 0 and run.orders["marketplace"] > 0


def test_manifest_lists_every_file_with_its_row_count(out: Path) -> None:
    files = _manifest(out)["files"]
    assert isinstance(files, list) and len(files) >= 19
    for entry in files:
        path = out / entry["path"]
        assert path.is_file(), entry["path"]
        if path.suffix == ".csv":
            rows = len(_csv(path))
        elif path.suffix == ".jsonl":
            rows = sum(1 for _ in _jsonl(path))
        else:
            rows = pq.ParquetFile(path).metadata.num_rows
        assert rows == entry["rows"], entry["path"]
        assert rows > 0, entry["path"]
    listed = {e["path"] for e in files}
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {MANIFEST}
    assert listed == on_disk


def test_orders_fall_inside_2025_and_have_valid_cards(out: Path) -> None:
    orders = _raw_orders(out)
    for o in orders:
        assert len(o["card"]) == 16 and luhn_valid(o["card"]), o
    ws = [o["created"] for o in orders if o["order_id"].startswith("WS-")]
    assert min(ws)[:4] == "2025" and max(ws)[:4] == "2025"
    mp = [int(o["created"]) for o in orders if o["order_id"].startswith("MP-")]
    assert min(mp) >= 1_735_689_600 and max(mp) <= 1_767_225_599


def test_duplicated_rows_exist_at_about_half_a_percent(out: Path) -> None:
    total = dups = 0
    for rel in (
        "raw/webshop/orders.csv",
        "raw/webshop/order_items.csv",
        "raw/marketplace/orders.jsonl",
        "raw/webshop/customers.csv",
    ):
        lines = (out / rel).read_text(encoding="utf-8").splitlines()
        counts = Counter(lines)
        dups += sum(c - 1 for c in counts.values())
        total += len(lines)
    assert dups > 0
    assert 0.001 <= dups / total <= 0.015
    events = pq.read_table(out / "raw/app/events.parquet").to_pylist()
    assert len({tuple(e.values()) for e in events}) < len(events)


# --- fraud and labels ----------------------------------------------------------------------


def test_fraud_rate_and_all_schemes_present(out: Path) -> None:
    rows = _csv(out / "truth/fraud_orders.csv")
    rate = sum(r["is_fraud"] == "1" for r in rows) / len(rows)
    assert 0.02 <= rate <= 0.04
    types = {r["fraud_type"] for r in rows if r["is_fraud"] == "1"}
    assert types == {"ring", "account_takeover", "stolen_card", "refund_abuse", "promo_abuse"}


def test_ring_accounts_share_an_identifier(out: Path) -> None:
    ring_of = {
        r["order_id"]: r["ring_id"] for r in _csv(out / "truth/fraud_orders.csv") if r["ring_id"]
    }
    idents: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for o in _raw_orders(out):
        if o["order_id"] in ring_of:
            for key in ("device", "card", "ip", "address"):
                idents[ring_of[o["order_id"]]][o["account"]].add(f"{key}:{o[key]}")
    assert len(idents) == SMALL.n_rings
    for ring, accounts in idents.items():
        assert len(accounts) >= 3, ring
        for acct, mine in accounts.items():
            others = set().union(*(v for a, v in accounts.items() if a != acct))
            assert mine & others, (ring, acct)


def test_raw_chargebacks_are_a_labelled_subset_of_truth(out: Path) -> None:
    truth = {r["order_id"]: r["label_date"] for r in _csv(out / "truth/chargebacks.csv")}
    raw = {r["order_id"]: r["chargeback_date"] for r in _csv(out / "raw/webshop/chargebacks.csv")}
    for c in _jsonl(out / "raw/marketplace/chargebacks.jsonl"):
        raw[str(c["order_id"])] = str(c["ts"])
    assert raw and set(raw) <= set(truth)
    assert all(truth[o] <= END_DATE for o in raw)
    assert all(d <= END_DATE for o, d in raw.items() if o.startswith("WS-"))
    unlabelled = {o for o, d in truth.items() if d > END_DATE}
    assert unlabelled, "the latest fraud should not be labelled yet"
    assert unlabelled.isdisjoint(raw)


# --- truth references ----------------------------------------------------------------------


def test_truth_references_resolve_in_raw_tables(out: Path) -> None:
    orders = {o["order_id"] for o in _raw_orders(out)}
    assert {r["order_id"] for r in _csv(out / "truth/fraud_orders.csv")} == orders
    customers = {r["customer_id"] for r in _csv(out / "raw/webshop/customers.csv")}
    mp_accounts = {str(a["account_id"]) for a in _jsonl(out / "raw/marketplace/accounts.jsonl")}
    app_users = set(pq.read_table(out / "raw/app/events.parquet").column("user_id").to_pylist())
    known = {"webshop": customers, "marketplace": mp_accounts, "app": app_users}
    for r in _csv(out / "truth/accounts.csv"):
        assert r["account_id"] in known[r["platform"]], r
    for r in _csv(out / "truth/fraud_accounts.csv"):
        assert r["account_id"] in known[r["platform"]], r
    for t in _jsonl(out / "truth/tickets.jsonl"):
        assert t["about_order_id"] in orders
        assert t["referenced_order_id"] is None or t["referenced_order_id"] in orders
    listings = {r["product_id"] for r in _csv(out / "raw/webshop/products.csv")}
    listings |= {str(r["listing_id"]) for r in _jsonl(out / "raw/marketplace/listings.jsonl")}
    assert {r["listing_id"] for r in _csv(out / "truth/products.csv")} == listings
    reviews = {r["review_id"] for r in _csv(out / "raw/webshop/reviews.csv")}
    assert {str(r["review_id"]) for r in _jsonl(out / "truth/reviews.jsonl")} == reviews


def test_people_hold_accounts_on_several_platforms(out: Path) -> None:
    per_person = Counter(r["person_id"] for r in _csv(out / "truth/accounts.csv"))
    real = [n for p, n in per_person.items() if p.startswith("P")]
    assert max(real) <= 3 and min(real) >= 1
    assert 0.2 <= sum(n > 1 for n in real) / len(real) <= 0.6


# --- texts ---------------------------------------------------------------------------------


def test_both_template_pools_are_used_in_every_text_family(out: Path) -> None:
    families = {
        "descriptions": [str(d["template_pool"]) for d in _jsonl(out / "truth/descriptions.jsonl")],
        "reviews": [str(d["template_pool"]) for d in _jsonl(out / "truth/reviews.jsonl")],
        "tickets": [str(d["template_pool"]) for d in _jsonl(out / "truth/tickets.jsonl")],
        "titles": [r["title_pool"] for r in _csv(out / "truth/products.csv")],
    }
    for name, pools in families.items():
        assert set(pools) == {"dev", "heldout"}, name
        assert 0.2 <= pools.count("heldout") / len(pools) <= 0.4, name


def test_recorded_spans_point_at_the_stated_text(out: Path) -> None:
    descriptions = {
        str(r["listing_id"]): str(r["description"])
        for r in _jsonl(out / "raw/marketplace/listings.jsonl")
    }
    n_facts = 0
    for d in _jsonl(out / "truth/descriptions.jsonl"):
        text = descriptions[str(d["listing_id"])]
        facts = d["facts"]
        assert isinstance(facts, list)
        attrs = {f["attribute"] for f in facts}
        assert {"brand", "category"} <= attrs
        for f in facts:
            assert text[f["start"] : f["end"]] == f["text"]
            n_facts += 1
    assert n_facts > 1000
    bodies = {
        str(t["ticket_id"]): str(t["body"]) for t in _jsonl(out / "raw/marketplace/tickets.jsonl")
    }
    for t in _jsonl(out / "truth/tickets.jsonl"):
        span = t["ref_span"]
        if isinstance(span, dict):
            assert bodies[str(t["ticket_id"])][span["start"] : span["end"]] == span["text"]


def test_review_sentiment_mostly_follows_the_rating(out: Path) -> None:
    rows = list(_jsonl(out / "truth/reviews.jsonl"))
    expected = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}
    agree = sum(expected[int(str(r["rating"]))] == r["sentiment"] for r in rows) / len(rows)
    assert 0.85 <= agree < 1.0
    assert any(r["mentioned_product_ids"] for r in rows)


# --- building blocks and speed -------------------------------------------------------------


def test_opaque_ids_are_unique_and_cards_pass_luhn() -> None:
    ids = OpaqueIds(3, "MP-", 6)
    assert len({ids(i) for i in range(50_000)}) == 50_000
    import random

    rnd = random.Random(0)
    cards = [card_number(rnd) for _ in range(200)]
    assert all(len(c) == 16 and luhn_valid(c) for c in cards)
    assert not luhn_valid(cards[0][:-1] + str((int(cards[0][-1]) + 1) % 10))
