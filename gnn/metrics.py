"""Top-K ranking metrics over the full catalogue, vectorised over a batch of users.

Every item is ranked (no sampled negatives: sampled metrics overstate quality and can even
reorder models). Items a user already bought are masked to ``-inf`` before ranking. Ties are
broken by item index (as a stable sort would), so results are deterministic.

Batched full ranking: ``evaluate_ranking`` scores a block of users at a time (one
``(block, items)`` matrix product for embedding models), and ``ranking_metrics`` takes only the
top ``max(K)`` items per user with ``torch.topk`` instead of sorting the whole catalogue; MRR
counts the items ahead of the first target. ``sorted_ranking_metrics`` is the full-sort
reference the tests hold it to.

Definitions per user, with ``T`` the target set and ``hits@K`` the targets among the top K:

* ``recall@K = |hits@K| / |T|``
* ``hit@K = 1 if |hits@K| > 0``
* ``ndcg@K = DCG@K / IDCG@K``, binary gains, ``DCG = sum 1 / log2(rank + 1)``, ideal with
  ``min(|T|, K)`` hits
* ``mrr = 1 / rank`` of the first target in the full ranking

Reported values are means over users with at least one target.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

import torch
from torch import Tensor

DEFAULT_KS = (10, 20)
K = TypeVar("K", bound=Hashable)


def ranking_metrics(
    scores: Tensor, targets: Tensor, ks: Sequence[int] = DEFAULT_KS
) -> dict[str, Tensor]:
    """Per-user metrics from the top ``max(ks)`` items only (no sort of the whole catalogue).

    ``scores``: ``(B, I)`` float; ``targets``: ``(B, I)`` bool, each row with at least one
    ``True``. Mask history to ``-inf`` in ``scores`` beforehand. Equal to
    :func:`sorted_ranking_metrics` (ties by item index included); rows with NaN scores fall back
    to it, since NaN has no place in a top-k threshold."""
    scores = scores.float()
    if bool(torch.isnan(scores).any()):
        return sorted_ranking_metrics(scores, targets, ks)
    n_items = scores.shape[1]
    top = stable_topk(scores, min(max(ks), n_items))
    return _metrics(
        targets.gather(1, top).float(), targets.sum(1), ks, n_items, _mrr(scores, targets)
    )


def stable_topk(scores: Tensor, k: int) -> Tensor:
    """``(B, k)`` item indices of the ``k`` best scores per row, ordered by the ranking rule
    (descending score, ties by lower index), as a stable full sort would give them.

    ``torch.topk`` picks the set; it is the rule's set unless the ``k``-th value is tied with
    an item left out (then which tied items got in is unspecified). Such rows are rare and are
    redone exactly (:func:`_tied_topk`); the rest only sort their ``k`` picks. Why not always
    the exact way: it makes several catalogue-wide temporaries per row (a cumulative sum, a
    ``nonzero``), 3x the cost of the whole ranking at 41k items."""
    values, idx = torch.topk(scores, k, dim=1)
    kth = values[:, -1:]
    unsettled = (scores == kth).sum(1) != (values == kth).sum(1)
    by_index = torch.sort(idx, dim=1).indices  # lower index first, then a stable sort by value
    idx, values = idx.gather(1, by_index), values.gather(1, by_index)
    idx = idx.gather(1, torch.sort(values, dim=1, descending=True, stable=True).indices)
    if bool(unsettled.any()):
        rows = unsettled.nonzero()[:, 0]
        idx[rows] = _tied_topk(scores[rows], k)
    return idx


def _tied_topk(scores: Tensor, k: int) -> Tensor:
    """:func:`stable_topk` for rows whose ``k``-th value is tied beyond the picks: items above
    it are in, and tied items fill the remaining slots lowest index first."""
    kth = torch.topk(scores, k, dim=1).values[:, -1:]
    above = scores > kth
    tied = scores == kth
    need = k - above.sum(1, keepdim=True)
    chosen = above | (tied & (torch.cumsum(tied, 1) <= need))
    idx = chosen.nonzero()[:, 1].view(-1, k)  # row-major: each row by ascending index
    order = torch.sort(scores.gather(1, idx), dim=1, descending=True, stable=True).indices
    return idx.gather(1, order)


def _mrr(scores: Tensor, targets: Tensor) -> Tensor:
    """``1 / rank`` of the first target under the ranking rule, by counting instead of sorting:
    items scored above the best target, plus ties with a lower index, plus one.

    The best target score is gathered from the targets alone (a user has few), so the whole
    catalogue is passed over twice (``>`` and ``==``); the tie count by index is made only for
    the rare rows where another item has exactly the best target's score."""
    rows, cols = targets.nonzero(as_tuple=True)
    best = torch.full((scores.shape[0],), -torch.inf, device=scores.device, dtype=scores.dtype)
    best = best.scatter_reduce(0, rows, scores[rows, cols], "amax")[:, None]
    ahead = (scores > best).sum(1)
    at_best = scores == best
    tied = (at_best.sum(1) > 1).nonzero()[:, 0]
    if tied.numel():
        t_best = at_best[tied]
        first = (targets[tied] & t_best).to(torch.uint8).argmax(1, keepdim=True)  # lowest
        index = torch.arange(scores.shape[1], device=scores.device)
        ahead[tied] += (t_best & (index < first)).sum(1)
    return 1.0 / (ahead.float() + 1.0)


def _metrics(
    hits: Tensor, n_targets: Tensor, ks: Sequence[int], n_items: int, mrr: Tensor
) -> dict[str, Tensor]:
    """Recall, NDCG and hit rate at each K from ``hits`` (targets in ranked order, ``>= max K``
    columns or the whole catalogue)."""
    ranks = torch.arange(1, hits.shape[1] + 1, device=hits.device, dtype=torch.float32)
    discounts = 1.0 / torch.log2(ranks + 1.0)
    out: dict[str, Tensor] = {}
    for k in ks:
        kk = min(k, n_items)
        top = hits[:, :kk]
        found = top.sum(1)
        ideal = torch.cumsum(discounts[:kk], 0)[torch.clamp(n_targets, max=kk) - 1]
        out[f"recall@{k}"] = found / n_targets
        out[f"ndcg@{k}"] = (top * discounts[:kk]).sum(1) / ideal
        out[f"hit@{k}"] = (found > 0).float()
    out["mrr"] = mrr
    return out


def sorted_ranking_metrics(
    scores: Tensor, targets: Tensor, ks: Sequence[int] = DEFAULT_KS
) -> dict[str, Tensor]:
    """The reference: the same metrics from a stable sort of the whole catalogue per user."""
    order = torch.sort(scores.float(), dim=1, descending=True, stable=True).indices
    hits = targets.gather(1, order).float()
    mrr = 1.0 / (hits.argmax(1).float() + 1.0)  # first True; rows always have one
    return _metrics(hits, targets.sum(1), ks, scores.shape[1], mrr)


def evaluate_ranking(
    score_fn: Callable[[Tensor], Tensor],
    users: Tensor,
    targets: Tensor,
    exclude: Tensor,
    num_items: int,
    ks: Sequence[int] = DEFAULT_KS,
    batch_size: int = 256,
) -> dict[str, float]:
    """Mean metrics over ``users``.

    Args:
        score_fn: user ids ``(B,)`` → scores ``(B, num_items)`` (on any device).
        users: ``(U,)`` user ids to evaluate.
        targets, exclude: ``(2, n)`` (row into ``users``, item) pairs sorted by row: what each
            user should find, and what is masked from their ranking.
        batch_size: users per batch; bounds memory at ``batch_size x num_items`` scores.
    """
    one = evaluate_rankings(
        lambda u: {"": score_fn(u)}, users, targets, exclude, num_items, ks, batch_size
    )
    return one.get("", {})


def evaluate_rankings(
    score_fn: Callable[[Tensor], Mapping[K, Tensor]],
    users: Tensor,
    targets: Tensor,
    exclude: Tensor,
    num_items: int,
    ks: Sequence[int] = DEFAULT_KS,
    batch_size: int = 256,
) -> dict[K, dict[str, float]]:
    """:func:`evaluate_ranking` of several variants of one scorer in one pass, ``score_fn``
    giving each block's scores per variant name. Why: variants that share most of their
    scoring (a filter's weight swept on valid) pay for the shared part once per block, and the
    masks and targets are made once."""
    sums: dict[K, dict[str, float]] = {}
    for start in range(0, int(users.numel()), batch_size):
        end = min(start + batch_size, int(users.numel()))
        variants = score_fn(users[start:end])
        mask: Tensor | None = None
        want: Tensor | None = None
        for variant, raw in variants.items():
            scores = raw.float()
            dev = scores.device
            if mask is None or want is None:
                mask = _dense(exclude, start, end, num_items).to(dev)
                want = _dense(targets, start, end, num_items).to(dev)
            if scores.is_contiguous() and not scores._is_view():  # fresh: mask in place
                scores.masked_fill_(mask, -torch.inf)
            else:  # a view (e.g. one popularity row expanded): never write through it
                scores = scores.masked_fill(mask, -torch.inf)
            total = sums.setdefault(variant, {})
            for name, values in ranking_metrics(scores, want, ks).items():
                total[name] = total.get(name, 0.0) + float(values.sum())
    n = max(int(users.numel()), 1)
    return {v: {name: t / n for name, t in sorted(m.items())} for v, m in sums.items()}


def _dense(pairs: Tensor, start: int, end: int, num_items: int) -> Tensor:
    """Rows ``start..end`` of a sorted pair list as a ``(end - start, num_items)`` bool matrix."""
    rows = pairs[0]
    lo = int(torch.searchsorted(rows, torch.tensor(start)))
    hi = int(torch.searchsorted(rows, torch.tensor(end)))
    out = torch.zeros((end - start, num_items), dtype=torch.bool)
    out[rows[lo:hi] - start, pairs[1, lo:hi]] = True
    return out
