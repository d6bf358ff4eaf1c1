"""The camouflaged built-in fraud: same scale and reproducibility, but rings that share far
fewer devices and cards among their members, read from the raw exports as a consumer would."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from testbeds.marketplace import MANIFEST, generate


def _ring_identifier_sharing(out: Path) -> float:
    """Share of ring orders whose device or card is also used by another member's order."""
    ring_of = {}
    with (out / "truth" / "fraud_orders.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["ring_id"]:
                ring_of[row["order_id"]] = row["ring_id"]
    orders = []  # (ring, account, device, card)
    with (out / "raw" / "webshop" / "orders.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["order_id"] in ring_of:
                orders.append(
                    (ring_of[row["order_id"]], row["customer_id"], row["device_id"],
                     row["card_number"])
                )  # fmt: skip
    with (out / "raw" / "marketplace" / "orders.jsonl").open() as fh:
        for line in fh:
            o = json.loads(line)
            if o["order_id"] in ring_of:
                card = (o.get("payment") or {}).get("card_number")
                orders.append((ring_of[o["order_id"]], o["buyer_id"], o.get("device_id"), card))
    users: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ring, acct, device, card in orders:
        users[(ring, f"d:{device}")].add(acct)
        users[(ring, f"c:{card}")].add(acct)
    shared = sum(
        1
        for ring, _, device, card in orders
        if len(users[(ring, f"d:{device}")]) > 1 or len(users[(ring, f"c:{card}")]) > 1
    )
    return shared / max(len(orders), 1)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    plain, camo = tmp_path_factory.mktemp("plain"), tmp_path_factory.mktemp("camouflaged")
    generate("small", 7, plain)
    generate("small", 7, camo, fraud="camouflaged")
    return plain, camo


def test_camouflaged_rings_share_fewer_identifiers(both: tuple[Path, Path]) -> None:
    plain, camo = both
    assert json.loads((camo / MANIFEST).read_text())["fraud"] == "camouflaged"
    assert "fraud" not in json.loads((plain / MANIFEST).read_text())  # plain files unchanged
    p, c = _ring_identifier_sharing(plain), _ring_identifier_sharing(camo)
    assert p > 0.8 and c < 0.6, (p, c)


def test_unknown_fraud_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="camouflaged"):
        generate("small", 7, tmp_path, fraud="sneaky")
