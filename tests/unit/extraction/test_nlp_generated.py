"""End to end on generated small data (seed 7): held-out phrasing must stay above the targets.

Thresholds: the project target is F1 >= 0.90 on held-out phrasing for attribute extraction,
order references, ticket intent (accuracy) and review sentiment (accuracy). Measured on small
seeds 7 and 8 (docs/extraction.md) they are 0.95, 1.00, 0.99 and 1.00, so 0.90 leaves room for
machine-dependent float noise in the encoder while still catching any real regression in
generalisation. Attribute recall is capped near 0.91 because the truth lists attributes that no
text states (a web-shop title rarely gives the colour of a phone case), so the attribute threshold
cannot sit much higher than 0.90 without testing the generator instead of the extractor.
"""

from __future__ import annotations

import pytest

from extraction.nlp import scoring
from extraction.nlp.run import extract_all_timed
from testbeds.marketplace import generate

TARGET = 0.90


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, float]]]:
    out = tmp_path_factory.mktemp("nlp_small")
    generate("small", 7, out)
    facts, timings = extract_all_timed(out)
    g = scoring.group_facts(facts)
    truth = out / "truth"
    return {
        "attributes": scoring.score_attributes(g["attributes"], truth),
        "order_refs": scoring.score_order_refs(g["order_refs"], truth),
        "intent": scoring.score_intent(g["intent"], truth),
        "sentiment": scoring.score_sentiment(g["sentiment"], truth),
        "timings": {"all": timings},
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("task", "metric"),
    [("attributes", "f1"), ("order_refs", "f1"), ("intent", "accuracy"), ("sentiment", "accuracy")],
)
def test_heldout_pool_meets_target(scored: dict, task: str, metric: str) -> None:
    for pool in ("heldout", "all"):
        value = scored[task][pool][metric]
        assert value >= TARGET, f"{task} {pool} {metric} = {value:.3f} < {TARGET}"


@pytest.mark.slow
def test_attribute_precision_stays_high(scored: dict) -> None:
    # Unstated attributes limit recall, never precision: a drop here is an extractor bug.
    assert scored["attributes"]["heldout"]["precision"] >= 0.97
