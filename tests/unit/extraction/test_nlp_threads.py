"""``compute_threads`` limits the BLAS pools inside the block and restores them after."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from extraction.nlp.threads import compute_threads


def _blas_threads() -> list[int]:
    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


def test_compute_threads_limits_and_restores() -> None:
    import numpy  # noqa: F401 - loads the BLAS pool threadpoolctl reports

    before = _blas_threads()
    with compute_threads(1):
        assert all(n == 1 for n in _blas_threads())
    assert _blas_threads() == before
    with compute_threads(None):
        assert _blas_threads() == before
