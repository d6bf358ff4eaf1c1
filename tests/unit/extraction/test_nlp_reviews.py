"""Reviews: sentiment follows the words (stars are only weak training labels), aspects per
clause, and product names resolved to listings."""

from __future__ import annotations

import pytest

from extraction.nlp.mentions import ProductIndex
from extraction.nlp.products import ProductExtractor
from extraction.nlp.reviews import ReviewExtractor
from extraction.nlp.sentiment import aspects_of

POSITIVE = ["Love it, works perfectly.", "Great product, really happy.", "Excellent, five stars."]
NEUTRAL = ["It's okay, nothing special.", "Average product, does the job.", "Mixed feelings."]
NEGATIVE = ["Terrible, very disappointed.", "Awful product, avoid.", "Not worth it, broke at once."]


def _reviews() -> list[tuple[str, int | None, str, str]]:
    out = []
    for k in range(12):
        out.append((f"P{k}", 5 - k % 2, "Great", POSITIVE[k % 3]))
        out.append((f"U{k}", 3, "OK", NEUTRAL[k % 3]))
        out.append((f"N{k}", 1 + k % 2, "Bad", NEGATIVE[k % 3]))
    # Stars that contradict the words: the words must win.
    out.append(("X1", 1, "Great", "Love it, works perfectly."))
    out.append(("X2", 5, "Bad", "Terrible, very disappointed."))
    return out


@pytest.mark.slow
def test_sentiment_follows_the_text_not_the_stars() -> None:
    facts = ReviewExtractor(seed=0).sentiment(_reviews())
    got = {f.source_key: f.name for f in facts if f.kind == "sentiment"}
    assert got["X1"] == "positive"
    assert got["X2"] == "negative"
    expected = {"P": "positive", "U": "neutral", "N": "negative"}
    wrong = [k for k, v in got.items() if k[0] in expected and v != expected[k[0]]]
    assert not wrong


def test_aspects_per_clause() -> None:
    assert aspects_of("Quality is fine for the price.") == ["quality"]
    assert aspects_of("Great battery life and quick delivery.") == ["battery", "delivery"]
    assert aspects_of("Way overpriced.") == ["price"]
    assert aspects_of("Fits a little snug.") == ["size_fit"]
    assert aspects_of("Would buy again.") == []


@pytest.fixture(scope="module")
def index() -> ProductIndex:
    rows = [
        {"product_id": "WS-P1", "title": "Linnea Cloud duvet cover king", "brand": "Linnea",
         "category": "Home > Bedding"},
        {"product_id": "WS-P2", "title": "duvet cover Linnea Cloud - single", "brand": "Linnea",
         "category": "Home > Bedding"},
        {"product_id": "WS-P3", "title": "Linnea Pure duvet cover", "brand": "Linnea",
         "category": "Home > Bedding"},
        {"product_id": "WS-P4", "title": "Northvale Windbreaker coat", "brand": "Northvale",
         "category": "Fashion > Jackets"},
        {"product_id": "WS-P5", "title": "Northvale jacket Parka, blue", "brand": "Northvale",
         "category": "Fashion > Jackets"},
    ]  # fmt: skip
    px = ProductExtractor.from_catalogue(rows)
    return ProductIndex(px.nlp, [(r["product_id"], r["brand"], r["title"]) for r in rows])


def test_mentions_resolve_to_every_listing_with_the_name(index: ProductIndex) -> None:
    rx = ReviewExtractor(index)
    text = "Much better than my old linnea cloud. Avoid the Northvale Windbreaker."
    facts = rx.mentions([("R1", 5, "Great", text)])
    targets = {f.value for f in facts}
    assert targets == {"WS-P1", "WS-P2", "WS-P4"}
    cloud = next(f for f in facts if f.value == "WS-P1")
    assert text[cloud.start : cloud.end] == "linnea cloud"
    assert cloud.name == "Linnea Cloud"


def test_generic_words_after_a_brand_name_no_product(index: ProductIndex) -> None:
    rx = ReviewExtractor(index)
    assert rx.mentions([("R2", 4, "OK", "My old Northvale jacket was warmer.")]) == []


def test_mentions_from_distinct_sentences_equal_a_whole_text_parse(index: ProductIndex) -> None:
    """Each distinct sentence is parsed once; spans shifted back must match a whole-text parse
    (the same sentence in two reviews, at different offsets, included)."""
    texts = [
        "Much better than my old linnea cloud. Avoid the Northvale Windbreaker.",
        "Avoid the Northvale Windbreaker. Love the Pure by Linnea!\nlinnea cloud again",
        "Avoid the Northvale Windbreaker.",
        "",
    ]
    rx = ReviewExtractor(index)
    got = [[(m.start, m.end, m.targets) for m in ms] for ms in rx._sentence_mentions(texts)]
    whole = index.find(list(index.nlp.pipe(texts)))
    assert got == [[(m.start, m.end, m.targets) for m in ms] for ms in whole]
    assert texts[1][got[1][0][0] : got[1][0][1]] == "Northvale Windbreaker"
    assert len(got[0]) == 2 and len(got[1]) >= 2 and got[3] == []
