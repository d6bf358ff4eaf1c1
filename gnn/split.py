"""(user, item) interactions with a time, split by global time cuts or by a given split.

A random edge split lets a model see a user's December orders while it is asked about their
November ones. Here every interaction carries a time, and two global cut times ``t1 < t2``
divide it: train ``time < t1``, valid ``t1 <= time < t2``, test ``t2 <= time``. Cuts are
quantiles of the interaction times unless given, so the shares hold for any data.

An interaction is observed in one of two shapes (``SplitConfig``): a path through a timed event
node, ``(User)-[:PLACED]->(Order)-[:CONTAINS]->(Product)`` (the order's time), or a direct
relationship with its own time, ``(User)-[:RATED {created_at}]->(Movie)``.

A *given* split (published benchmark splits) reads a ``split`` code per interaction instead of a
time (``split_codes``: train 0, valid 1, test 2). It is the same protocol on an ordinal clock:
each interaction's "time" is its code and the cuts are ``t1 = 1``, ``t2 = 2``, so every fold,
window and leakage check downstream works unchanged. Other timed nodes and edges cannot be
placed on that clock; ``build_message_graph`` leaves them out.

Evaluation follows the usual "what will they buy next that they have not bought before" task:
the targets of a period are a user's items in that period minus everything the user bought
before it (those are masked from the ranking as well). Re-purchases of consumables are therefore
not targets; they would reward a model for repeating history, which a masked ranking cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
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


SPLIT_NAMES = ("train", "valid", "test")
_SPLIT_ALIASES = {"train": 0, "valid": 1, "validation": 1, "val": 1, "dev": 1, "test": 2}


def split_codes(values: np.ndarray | list[Any]) -> Tensor:
    """Split names (``train``/``valid``/``test``, any case; ``validation``, ``val`` and ``dev``
    count as valid) → codes 0/1/2; anything else → -1, which leaves the interaction out."""
    out = [_SPLIT_ALIASES.get(str(v).strip().lower(), -1) if v is not None else -1 for v in values]
    return torch.tensor(out, dtype=torch.long)


@dataclass(frozen=True)
class SplitConfig:
    """Which labels make an interaction and where the cuts fall.

    Args:
        user, item, event: labels of the buyer, the bought thing and the timed event linking them
            (``(User)-[:PLACED]->(Order)-[:CONTAINS]->(Product)``).
        placed, contains: the two relationship types of that path.
        relationship: a direct ``(user)-[relationship]->(item)`` interaction with its own
            ``time`` (e.g. ``RATED``); when set, ``event``/``placed``/``contains`` are unused and
            the relationship itself is replaced by ``BOUGHT`` edges in the training graph.
        kind: ``temporal`` (cut by time) or ``given`` (a ``split`` code on each interaction: on
            the direct relationship, or on the event node of a path).
        valid_frac, test_frac: shares of interactions after ``t1`` and after ``t2`` when the cuts
            are not given; 10 % each keeps about five weeks per evaluation period on a year.
        t1, t2: explicit cut times (epoch seconds); override the fractions.
        static_rel_types: relationships allowed in a training graph without a time: type names
            or ``"Src-TYPE-Dst"`` patterns.
        split_property: the property holding train/valid/test names of a given split (the
            export reads it; here it is reported).
        seed: draws the valid part carved from train when a given split has none (a share
            ``valid_frac`` of the train interactions, reported in ``describe``).
        drop_labels: timed labels never put in the message-passing graph (orders are replaced
            by direct user-item edges; tickets say nothing about taste).
    """

    user: str = "User"
    item: str = "Product"
    event: str = "Order"
    placed: str = "PLACED"
    contains: str = "CONTAINS"
    relationship: str | None = None
    kind: Literal["temporal", "given"] = "temporal"
    valid_frac: float = 0.1
    test_frac: float = 0.1
    t1: float | None = None
    t2: float | None = None
    static_rel_types: tuple[str, ...] = STATIC_REL_TYPES
    drop_labels: tuple[str, ...] = ("Order", "Ticket")
    split_property: str = "split"
    seed: int = 7


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
    carved_valid: int = 0  # valid interactions drawn from train (a given split without valid)

    def describe(self) -> dict[str, Any]:
        """The report's ``split`` entry: cut times (ISO and epoch) and counts per period."""
        periods = {
            "train": self.interactions.window(None, self.t1),
            "valid": self.interactions.window(self.t1, self.t2),
            "test": self.interactions.window(self.t2, None),
        }
        cfg = self.config
        shape = (
            f"({cfg.user})-[:{cfg.relationship}]->({cfg.item})"
            if cfg.relationship
            else f"({cfg.user})-[:{cfg.placed}]->({cfg.event})-[:{cfg.contains}]->({cfg.item})"
        )
        head: dict[str, Any] = (
            {"kind": f"given, property {cfg.split_property!r} (train 0, valid 1, test 2)"}
            if cfg.kind == "given"
            else {
                "kind": "temporal, global cut times",
                "t1": _iso(self.t1),
                "t2": _iso(self.t2),
            }
        )
        return {
            **head,
            "interaction": shape,
            "t1_epoch": self.t1,
            "t2_epoch": self.t2,
            "interactions": {k: len(v) for k, v in periods.items()},
            "users": {k: int(v.user.unique().numel()) for k, v in periods.items()},
            "num_users": self.num_users,
            "num_items": self.num_items,
            **self._carved(),
        }

    def _carved(self) -> dict[str, Any]:
        if not self.carved_valid:
            return {}
        cfg = self.config
        return {
            "valid_carved_from_train": {
                "interactions": self.carved_valid,
                "share_of_train": cfg.valid_frac,
                "seed": cfg.seed,
            }
        }


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).isoformat()


def purchase_interactions(data: HeteroData, cfg: SplitConfig) -> Interactions:
    """(user, item, clock) per interaction, sorted by clock: the time, or the split code of a
    given split. Path: via user -PLACED-> event -CONTAINS-> item, the event's clock; direct:
    the relationship's own.

    Interactions without a user, a time or a known split code are skipped: they cannot be put
    on the right side of a cut."""
    if cfg.relationship is not None:
        user, item, clock = _direct(data, cfg)
    else:
        user, item, clock = _via_event(data, cfg)
    keep = (user >= 0) & torch.isfinite(clock)
    user, time = user[keep], clock[keep]
    item = item[keep]
    perm = torch.argsort(time, stable=True)
    return Interactions(user[perm], item[perm], time[perm])


def _clock(store: Any, what: str, cfg: SplitConfig) -> Tensor:
    """A store's time (float64 seconds) or, for a given split, its split code as a float
    (-1 → NaN, so unknown codes drop out like unknown times)."""
    attr = "split" if cfg.kind == "given" else "time"
    if attr not in store:
        prop = "split" if cfg.kind == "given" else "time (created_at)"
        raise SplitError(f"{what} carry no {prop}", code="E502")
    value = store[attr].to(torch.float64)
    return torch.where(value >= 0, value, torch.nan) if cfg.kind == "given" else value


def _direct(data: HeteroData, cfg: SplitConfig) -> tuple[Tensor, Tensor, Tensor]:
    et = (cfg.user, cfg.relationship or "", cfg.item)
    if et not in data.edge_types:
        raise SplitError(f"the graph has no {et} relationships", code="E501")
    store = data[et]
    user, item = store.edge_index
    return user, item, _clock(store, f"{cfg.relationship} relationships", cfg)


def _via_event(data: HeteroData, cfg: SplitConfig) -> tuple[Tensor, Tensor, Tensor]:
    placed_t, contains_t = (cfg.user, cfg.placed, cfg.event), (cfg.event, cfg.contains, cfg.item)
    for et in (placed_t, contains_t):
        if et not in data.edge_types:
            raise SplitError(f"the graph has no {et} relationships", code="E501")
    order_time = _clock(data[cfg.event], f"{cfg.event} nodes", cfg)
    placer = torch.full((data[cfg.event].num_nodes,), -1, dtype=torch.long)
    placed = data[placed_t].edge_index
    placer[placed[1]] = placed[0]
    order, item = data[contains_t].edge_index
    return placer[order], item, order_time[order]


def temporal_split(data: HeteroData, cfg: SplitConfig | None = None) -> TemporalSplit:
    """Interactions plus the two global cut times (quantiles unless ``cfg`` fixes them; 1 and 2
    on the ordinal clock of a given split)."""
    cfg = cfg or SplitConfig()
    inter = purchase_interactions(data, cfg)
    if len(inter) == 0:
        raise SplitError("no timed interactions to split", code="E503")
    if cfg.kind == "given":
        return _given_split(inter, data, cfg)
    q = torch.tensor([1.0 - cfg.valid_frac - cfg.test_frac, 1.0 - cfg.test_frac])
    qt = torch.quantile(inter.time, q.to(torch.float64)).tolist()
    t1 = cfg.t1 if cfg.t1 is not None else qt[0]
    t2 = cfg.t2 if cfg.t2 is not None else qt[1]
    if not t1 < t2:
        raise SplitError(f"cut times must satisfy t1 < t2 (got {t1}, {t2})", code="E504")
    return TemporalSplit(
        inter, float(t1), float(t2), data[cfg.user].num_nodes, data[cfg.item].num_nodes, cfg
    )


def _given_split(inter: Interactions, data: HeteroData, cfg: SplitConfig) -> TemporalSplit:
    """A given split needs train and test interactions; a missing one is an error, not an empty
    metric. A missing valid part (published benchmarks often give only train and test) is
    carved from train: a seeded random ``valid_frac`` of the train interactions."""
    counts = torch.bincount(inter.time.long(), minlength=3).tolist()
    missing = [SPLIT_NAMES[i] for i in (0, 2) if counts[i] == 0]
    if missing:
        raise SplitError(f"the given split has no {', '.join(missing)} interactions", code="E505")
    carved = 0
    if counts[1] == 0:
        inter, carved = _carve_valid(inter, cfg)
    users, items = data[cfg.user].num_nodes, data[cfg.item].num_nodes
    return TemporalSplit(inter, 1.0, 2.0, users, items, cfg, carved)


def _carve_valid(inter: Interactions, cfg: SplitConfig) -> tuple[Interactions, int]:
    """Recode a seeded random share of the train interactions (code 0) as valid (code 1)."""
    train = torch.nonzero(inter.time == 0).flatten()
    n = max(1, round(cfg.valid_frac * train.numel()))
    if n >= train.numel():
        raise SplitError(
            "the given split has no valid interactions and too few train ones to carve some",
            code="E505",
        )
    gen = torch.Generator().manual_seed(cfg.seed)
    chosen = train[torch.randperm(train.numel(), generator=gen)[:n]]
    clock = inter.time.clone()
    clock[chosen] = 1.0
    perm = torch.argsort(clock, stable=True)
    return Interactions(inter.user[perm], inter.item[perm], clock[perm]), n


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
        return self._keep(torch.unique(targets[0]), targets)

    def sample(self, n: int, seed: int) -> EvalSet:
        """``n`` users drawn at random (seeded), all their targets: a cheaper validation for
        early stopping at scale. All users when ``n`` is not smaller than their number."""
        if n >= self.num_users:
            return self
        gen = torch.Generator().manual_seed(seed)
        rows = torch.sort(torch.randperm(self.num_users, generator=gen)[:n]).values
        return self._keep(rows, self.targets[:, torch.isin(self.targets[0], rows)])

    def _keep(self, rows: Tensor, targets: Tensor) -> EvalSet:
        """Users at sorted ``rows`` with ``targets`` (already theirs only), renumbered."""
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
