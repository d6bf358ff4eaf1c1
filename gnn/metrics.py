"""Top-K ranking metrics over the full catalogue, vectorised over a batch of users.

Every item is ranked (no sampled negatives: sampled metrics overstate quality and can even
reorder models). Items a user already bought are masked to ``-inf`` before ranking. Ties are
broken by item index (a stable sort), so results are deterministic.

Definitions per user, with ``T`` the target set and ``hits@K`` the targets among the top K:

* ``recall@K = |hits@K| / |T|``
* ``hit@K = 1 if |hits@K| > 0``
* ``ndcg@K = DCG@K / IDCG@K``, binary gains, ``DCG = sum 1 / log2(rank + 1)``, ideal with
  ``min(|T|, K)`` hits
* ``mrr = 1 / rank`` of the first target in the full ranking

Reported values are means over users with at least one target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

DEFAULT_KS = (10, 20)


def ranking_metrics(
    scores: Tensor, targets: Tensor, ks: Sequence[int] = DEFAULT_KS
) -> dict[str, Tensor]:
    """Per-user metrics. ``scores``: ``(B, I)`` float; ``targets``: ``(B, I)`` bool, each row
    with at least one ``True``. Mask history to ``-inf`` in ``scores`` beforehand."""
    order = torch.sort(scores.float(), dim=1, descending=True, stable=True).indices
    hits = targets.gather(1, order).float()
    n_targets = targets.sum(1)
    ranks = torch.arange(1, scores.shape[1] + 1, device=scores.device, dtype=torch.float32)
    discounts = 1.0 / torch.log2(ranks + 1.0)
    out: dict[str, Tensor] = {}
    for k in ks:
        top = hits[:, :k]
        found = top.sum(1)
        ideal = torch.cumsum(discounts[:k], 0)[torch.clamp(n_targets, max=k) - 1]
        out[f"recall@{k}"] = found / n_targets
        out[f"ndcg@{k}"] = (top * discounts[:k]).sum(1) / ideal
        out[f"hit@{k}"] = (found > 0).float()
    first = hits.argmax(1)  # first True; rows always have one
    out["mrr"] = 1.0 / (first.float() + 1.0)
    return out


def evaluate_ranking(
    score_fn: Callable[[Tensor], Tensor],
    users: Tensor,
    targets: Tensor,
    exclude: Tensor,
    num_items: int,
    ks: Sequence[int] = DEFAULT_KS,
    batch_size: int = 1024,
) -> dict[str, float]:
    """Mean metrics over ``users``.

    Args:
        score_fn: user ids ``(B,)`` → scores ``(B, num_items)`` (on any device).
        users: ``(U,)`` user ids to evaluate.
        targets, exclude: ``(2, n)`` (row into ``users``, item) pairs sorted by row: what each
            user should find, and what is masked from their ranking.
        batch_size: users per batch; bounds memory at ``batch_size x num_items`` scores.
    """
    sums: dict[str, float] = {}
    for start in range(0, int(users.numel()), batch_size):
        end = min(start + batch_size, int(users.numel()))
        scores = score_fn(users[start:end]).float()
        dev = scores.device
        mask = _dense(exclude, start, end, num_items).to(dev)
        scores = scores.masked_fill(mask, -torch.inf)
        batch = ranking_metrics(scores, _dense(targets, start, end, num_items).to(dev), ks)
        for name, values in batch.items():
            sums[name] = sums.get(name, 0.0) + float(values.sum())
    n = max(int(users.numel()), 1)
    return {name: total / n for name, total in sorted(sums.items())}


def _dense(pairs: Tensor, start: int, end: int, num_items: int) -> Tensor:
    """Rows ``start..end`` of a sorted pair list as a ``(end - start, num_items)`` bool matrix."""
    rows = pairs[0]
    lo = int(torch.searchsorted(rows, torch.tensor(start)))
    hi = int(torch.searchsorted(rows, torch.tensor(end)))
    out = torch.zeros((end - start, num_items), dtype=torch.bool)
    out[rows[lo:hi] - start, pairs[1, lo:hi]] = True
    return out
