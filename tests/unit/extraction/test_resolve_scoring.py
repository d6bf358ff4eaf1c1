"""Pairwise evaluation of entity resolution: counts, closure and the truth-file readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from extraction.resolve import Match
from extraction.resolve.scoring import (
    account_clusters,
    closure_pairs,
    evaluate,
    pairwise_prf,
    product_clusters,
)

TRUTH = {"a": "P1", "b": "P1", "c": "P1", "d": "P2", "e": "P3"}  # 3 true pairs


def test_pairwise_counts() -> None:
    result = pairwise_prf({("b", "a"), ("a", "d"), ("a", "a")}, TRUTH)
    assert (result["tp"], result["fp"], result["fn"]) == (1, 1, 2)
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx(1 / 3)
    assert result["f1"] == pytest.approx(0.4)


def test_empty_prediction_has_full_precision_and_no_recall() -> None:
    result = pairwise_prf(set(), TRUTH)
    assert (result["precision"], result["recall"], result["f1"]) == (1.0, 0.0, 0.0)


def test_closure_adds_implied_pairs_and_amplifies_mistakes() -> None:
    assert closure_pairs([("a", "b"), ("b", "c")]) == {("a", "b"), ("a", "c"), ("b", "c")}
    matches = [Match.of("User", "a", "b", 1.0, "x"), Match.of("User", "b", "c", 1.0, "x")]
    both = evaluate(matches, TRUTH)
    assert both["direct"]["tp"] == 2 and both["closure"]["tp"] == 3
    wrong = [*matches, Match.of("User", "c", "d", 1.0, "x")]
    assert evaluate(wrong, TRUTH)["closure"]["fp"] == 3  # d joins a whole cluster


def test_truth_files_map_to_graph_keys(tmp_path: Path) -> None:
    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "accounts.csv").write_text(
        "platform,account_id,person_id\n"
        "webshop,WS-C000001,P1\nmarketplace,MP-Uab,P1\napp,usr_1,P1\nwebshop,WS-C000002,S1\n"
    )
    (truth / "products.csv").write_text(
        "platform,listing_id,canonical_product_id,brand\n"
        "webshop,WS-P000001,CP1,X\nmarketplace,MP-L01,CP1,X\n"
    )
    assert account_clusters(tmp_path) == {
        "webshop:WS-C000001": "P1",
        "marketplace:MP-Uab": "P1",
        "app:usr_1": "P1",
        "webshop:WS-C000002": "S1",
    }
    assert product_clusters(tmp_path) == {"webshop:WS-P000001": "CP1", "marketplace:MP-L01": "CP1"}
