"""The benchmarks' one timer and one percentile definition."""

from __future__ import annotations

import math
import time

import numpy as np

from bench.common import Stopwatch, percentiles


def test_percentiles_are_numpys_default_rounded_to_a_tenth() -> None:
    ms = [1.0, 2.0, 3.0, 4.0, 100.0]
    assert percentiles(ms) == {
        "p50_ms": 3.0,
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
    }
    assert percentiles(ms, qs=(90,)) == {"p90_ms": 61.6}


def test_percentiles_of_nothing_are_nan() -> None:
    assert all(math.isnan(v) for v in percentiles([]).values())


def test_stopwatch_freezes_at_the_end_of_its_block() -> None:
    with Stopwatch() as watch:
        time.sleep(0.01)
    block = watch.seconds
    time.sleep(0.01)
    assert watch.seconds == block >= 0.01


def test_stopwatch_runs_from_construction_outside_a_block() -> None:
    watch = Stopwatch()
    first = watch.seconds
    time.sleep(0.001)
    assert watch.seconds > first >= 0.0
