"""Purchases as timed (user, item) interactions, split by global time cuts.

A random edge split lets a model see a user's December orders while it is asked about their
November ones. Here every interaction carries the time of its order, and two global cut times
``t1 < t2`` divide the year: train ``time < t1``, valid ``t1 <= time < t2``, test ``t2 <= time``.
Cuts are quantiles of the interaction times unless given, so the shares hold for any data.

Evaluation follows the usual "what will they buy next that they have not bought before" task:
the targets of a period are a user's items in that period minus everything the user bought
before it (those are masked from the ranking as well). Re-purchases of consumables are therefore
not targets; they would reward a model for repeating history, which a masked ranking cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from cartograph.errors import CartographError


class SplitError(CartographError):
    """The graph lacks what a temporal split needs (purchases, order times)."""

    code = "E500"


# Relationships that describe things rather than behaviour hold at any time, so they may enter a
# training graph of any period: a type name (any endpoints) or ``"Src-TYPE-Dst"``. Behaviour
# without a time (VIEWED, ADDED_TO_CART, USED_DEVICE, ...) may have happened after the cut and is
# left out. Account SAME_AS links are left out too: the resolver builds them partly from devices
# seen on orders of the whole year. Listing SAME_AS links come from the listing texts: static.
STATIC_REL_TYPES: tuple[str, ...] = (
    "IN_CATEGORY",
    "SUBCATEGORY_OF",
    "MADE_BY",
    "HAS_ATTRIBUTE",
    "COMPATIBLE_WITH",
    "Product-SAME_AS-Product",
    "HAS_EMAIL",
    "HAS_PHONE",
    "HAS_ADDRESS",
)


def is_static(edge_type: tuple[str, str, str], static: tuple[str, ...]) -> bool:
    """Whether ``static`` names this relationship (a reverse ``rev_`` edge counts as its base)."""
    src, rel, dst = edge_type
    if rel.startswith("rev_"):
        src, rel, dst = dst, rel.removeprefix("rev_"), src
    return rel in static or f"{src}-{rel}-{dst}" in static


@dataclass(frozen=True)
class SplitConfig:
    """Which labels make a purchase and where the cuts fall.

    Args:
        user, item, event: labels of the buyer, the bought thing and the timed event linking them
            (``(User)-[:PLACED]->(Order)-[:CONTAINS]->(Product)``).
        placed, contains: the two relationship types of that path.
        valid_frac, test_frac: shares of interactions after ``t1`` and after ``t2`` when the cuts
            are not given; 10 % each keeps about five weeks per evaluation period on a year.
        t1, t2: explicit cut times (epoch seconds); override the fractions.
        static_rel_types: relationships allowed in a training graph without a time: type names
            or ``"Src-TYPE-Dst"`` patterns.
        drop_labels: timed labels never put in the message-passing graph (orders are replaced
            by direct user-item edges; tickets say nothing about taste).
    """

    user: str = "User"
    item: str = "Product"
    event: str = "Order"
    placed: str = "PLACED"
    contains: str = "CONTAINS"
    valid_frac: float = 0.1
    test_frac: float = 0.1
    t1: float | None = None
    t2: float | None = None
    static_rel_types: tuple[str, ...] = STATIC_REL_TYPES
    drop_labels: tuple[str, ...] = ("Order", "Ticket")


@dataclass(frozen=True)
class Interactions:
    """Parallel tensors: ``user[k]`` bought ``item[k]`` at ``time[k]`` (epoch seconds)."""

    user: Tensor
    item: Tensor
    time: Tensor

    def __len__(self) -> int:
        return int(self.user.numel())

    def select(self, keep: Tensor) -> Interactions:
        return Interactions(self.user[keep], self.item[keep], self.time[keep])

    def window(self, start: float | None, end: float | None) -> Interactions:
        """Interactions with ``start <= time < end`` (open where ``None``)."""
        keep = torch.ones_like(self.time, dtype=torch.bool)
        if start is not None:
            keep &= self.time >= start
        if end is not None:
            keep &= self.time < end
        return self.select(keep)

    def pairs(self, num_items: int) -> Tensor:
        """Distinct ``user * num_items + item`` codes, sorted: a set of (user, item) pairs."""
        return torch.unique(self.user * num_items + self.item)


@dataclass(frozen=True)
class TemporalSplit:
    """All interactions, the cut times and the sizes of the catalogue and user base."""

    interactions: Interactions
    t1: float
    t2: float
    num_users: int
    num_items: int
    config: SplitConfig = field(default_factory=SplitConfig)

    def describe(self) -> dict[str, Any]:
        """The report's ``split`` entry: cut times (ISO and epoch) and counts per period."""
        periods = {
            "train": self.interactions.window(None, self.t1),
            "valid": self.interactions.window(self.t1, self.t2),
            "test": self.interactions.window(self.t2, None),
        }
        return {
            "kind": "temporal, global cut times",
            "t1": _iso(self.t1),
            "t2": _iso(self.t2),
            "t1_epoch": self.t1,
            "t2_epoch": self.t2,
            "interactions": {k: len(v) for k, v in periods.items()},
            "users": {k: int(v.user.unique().numel()) for k, v in periods.items()},
            "num_users": self.num_users,
            "num_items": self.num_items,
        }


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).isoformat()


def purchase_interactions(data: HeteroData, cfg: SplitConfig) -> Interactions:
    """(user, item, time) per line item, via user -PLACED-> order -CONTAINS-> item.

    Orders without a placer or a time are skipped: an untimed purchase cannot be put on the
    right side of a cut."""
    placed_t, contains_t = (cfg.user, cfg.placed, cfg.event), (cfg.event, cfg.contains, cfg.item)
    for et in (placed_t, contains_t):
        if et not in data.edge_types:
            raise SplitError(f"the graph has no {et} relationships", code="E501")
    if "time" not in data[cfg.event]:
        raise SplitError(f"{cfg.event} nodes carry no time (created_at)", code="E502")
    order_time = data[cfg.event].time.to(torch.float64)
    placer = torch.full((data[cfg.event].num_nodes,), -1, dtype=torch.long)
    placed = data[placed_t].edge_index
    placer[placed[1]] = placed[0]
    order, item = data[contains_t].edge_index
    user, time = placer[order], order_time[order]
    keep = (user >= 0) & torch.isfinite(time)
    perm = torch.argsort(time[keep], stable=True)
    return Interactions(user[keep][perm], item[keep][perm], time[keep][perm])


def temporal_split(data: HeteroData, cfg: SplitConfig | None = None) -> TemporalSplit:
    """Interactions plus the two global cut times (quantiles unless ``cfg`` fixes them)."""
    cfg = cfg or SplitConfig()
    inter = purchase_interactions(data, cfg)
    if len(inter) == 0:
        raise SplitError("no timed purchases to split", code="E503")
    q = torch.tensor([1.0 - cfg.valid_frac - cfg.test_frac, 1.0 - cfg.test_frac])
    qt = torch.quantile(inter.time, q.to(torch.float64)).tolist()
    t1 = cfg.t1 if cfg.t1 is not None else qt[0]
    t2 = cfg.t2 if cfg.t2 is not None else qt[1]
    if not t1 < t2:
        raise SplitError(f"cut times must satisfy t1 < t2 (got {t1}, {t2})", code="E504")
    return TemporalSplit(
        inter, float(t1), float(t2), data[cfg.user].num_nodes, data[cfg.item].num_nodes, cfg
    )


@dataclass(frozen=True)
class EvalSet:
    """Who is evaluated on what: ``targets`` and ``exclude`` are ``(2, n)`` (row, item) pairs,
    ``row`` indexing ``users``; both sorted by row."""

    users: Tensor
    targets: Tensor
    exclude: Tensor

    @property
    def num_users(self) -> int:
        return int(self.users.numel())

    @property
    def num_targets(self) -> int:
        return int(self.targets.shape[1])

    def restrict(self, item_mask: Tensor) -> EvalSet:
        """Only targets whose item is in ``item_mask`` (e.g. never bought before: cold start);
        users left without targets go. Rankings stay over the full catalogue."""
        targets = self.targets[:, item_mask[self.targets[1]]]
        rows = torch.unique(targets[0])
        new_row = torch.full((self.num_users,), -1, dtype=torch.long)
        new_row[rows] = torch.arange(rows.numel())
        exclude = self.exclude[:, new_row[self.exclude[0]] >= 0]
        return EvalSet(
            self.users[rows],
            torch.stack([new_row[targets[0]], targets[1]]),
            torch.stack([new_row[exclude[0]], exclude[1]]),
        )


def eval_set(history: Interactions, future: Interactions, num_items: int) -> EvalSet:
    """Targets: future pairs not in ``history``; users: those with at least one target;
    ``exclude``: their history pairs, masked from the ranking."""
    hist = history.pairs(num_items)
    fut = future.pairs(num_items)
    fut = fut[~torch.isin(fut, hist)]
    users = torch.unique(fut // num_items)
    row_of = torch.full((int(users.max()) + 1 if users.numel() else 1,), -1, dtype=torch.long)
    row_of[users] = torch.arange(users.numel())
    hist = hist[torch.isin(hist // num_items, users)]
    return EvalSet(users, _rows(fut, row_of, num_items), _rows(hist, row_of, num_items))


def _rows(codes: Tensor, row_of: Tensor, num_items: int) -> Tensor:
    """Pair codes → ``(2, n)`` (row, item), sorted by row then item (codes are sorted)."""
    return torch.stack([row_of[codes // num_items], codes % num_items])
