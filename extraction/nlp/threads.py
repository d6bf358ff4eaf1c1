"""How many threads the numeric libraries (torch, BLAS under scikit-learn) may use.

Sentence encoding and the logistic regressions run on small matrices, where a second thread
gains little even on an idle machine; on a shared, busy one the threads spin-wait for each
other and the work takes several times longer. An ad-hoc check on the 2-core development VM
at load average ~12 (not a bench script; one run each): a 16k x 384 logistic regression fit
5.2 s with OpenBLAS's 2 threads vs 0.9 s with one; MiniLM encoding of 600 titles 31 s with
torch's 2 threads vs 14 s with one. So extraction pins them to one thread by default; the
end-to-end effect is part of the batched path measured in ``bench/extraction.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

DEFAULT_THREADS = 1


@contextmanager
def compute_threads(threads: int | None = DEFAULT_THREADS) -> Iterator[None]:
    """Limit BLAS/OpenMP pools and torch to ``threads`` inside the block (None: leave them).

    torch's setting is process-wide, so it is restored on exit. torch is only touched when it
    is already imported (importing it costs seconds); ``embed.Embedder`` applies its own
    ``threads`` for a model loaded later.
    """
    if threads is None:
        yield
        return
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        if torch is not None and before is not None:
            torch.set_num_threads(before)
