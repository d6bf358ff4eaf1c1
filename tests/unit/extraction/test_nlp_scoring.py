"""Scoring against truth files: pools, micro P/R/F1, accuracy and macro F1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extraction.nlp import scoring


@pytest.fixture()
def truth(tmp_path: Path) -> Path:
    (tmp_path / "products.csv").write_text(
        "platform,listing_id,canonical_product_id,brand,category,attributes,compatible_with,title_pool\n"
        'webshop,WS-P1,CP1,Zentek,Electronics > Phones,"{""colour"": ""red""}",[],dev\n'
        'marketplace,MP-L1,CP2,Orbix,Electronics > Phones,"{""storage"": ""64GB""}",[],dev\n',
        encoding="utf-8",
    )
    desc = {
        "listing_id": "MP-L1",
        "canonical_product_id": "CP2",
        "template_pool": "heldout",
        "facts": [],
    }
    (tmp_path / "descriptions.jsonl").write_text(json.dumps(desc) + "\n", encoding="utf-8")
    tickets = [
        {
            "ticket_id": "T1",
            "intent": "other",
            "referenced_order_id": "WS-O1",
            "template_pool": "dev",
        },
        {
            "ticket_id": "T2",
            "intent": "wrong_item",
            "referenced_order_id": None,
            "template_pool": "heldout",
        },
    ]
    (tmp_path / "tickets.jsonl").write_text(
        "".join(json.dumps(t) + "\n" for t in tickets), encoding="utf-8"
    )
    reviews = [
        {"review_id": "R1", "sentiment": "positive", "aspects": ["price"],
         "mentioned_product_ids": ["CP2"], "template_pool": "dev"},
        {"review_id": "R2", "sentiment": "negative", "aspects": [],
         "mentioned_product_ids": [], "template_pool": "heldout"},
    ]  # fmt: skip
    (tmp_path / "reviews.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in reviews), encoding="utf-8"
    )
    return tmp_path


def test_attribute_scores_per_pool(truth: Path) -> None:
    pred = {
        ("WS-P1", "brand", "Zentek"), ("WS-P1", "category", "Electronics > Phones"),
        ("WS-P1", "colour", "blue"),
        ("MP-L1", "brand", "Orbix"), ("MP-L1", "storage", "64GB"),
    }  # fmt: skip
    s = scoring.score_attributes(pred, truth)
    assert (s["dev"]["tp"], s["dev"]["fp"], s["dev"]["fn"]) == (2, 1, 1)
    # The listing's description is held-out phrasing, so the listing counts as held-out.
    assert (s["heldout"]["tp"], s["heldout"]["fp"], s["heldout"]["fn"]) == (2, 0, 1)
    assert s["all"]["precision"] == pytest.approx(4 / 5)
    assert s["all"]["recall"] == pytest.approx(4 / 6)
    by_name = scoring.score_attributes_by_name(pred, truth)
    assert by_name["colour"]["f1"] == 0.0 and by_name["brand"]["f1"] == 1.0


def test_order_refs_intent_and_sentiment(truth: Path) -> None:
    refs = scoring.score_order_refs({("T1", "WS-O1"), ("T2", "WS-O9")}, truth)
    assert refs["dev"]["f1"] == 1.0 and refs["heldout"]["precision"] == 0.0
    intent = scoring.score_intent({"T1": "other", "T2": "refund_request"}, truth)
    assert intent["dev"]["accuracy"] == 1.0 and intent["heldout"]["accuracy"] == 0.0
    assert intent["all"]["accuracy"] == 0.5
    sent = scoring.score_sentiment({"R1": "positive"}, truth)  # R2 has no prediction: wrong
    assert sent["all"]["accuracy"] == 0.5 and sent["all"]["predicted"] == 1
    assert scoring.score_aspects({("R1", "price")}, truth)["all"]["f1"] == 1.0
    assert scoring.score_mentions({("R1", "MP-L1")}, truth)["all"]["f1"] == 1.0
