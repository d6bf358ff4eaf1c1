"""Graph features for every event node (orders), computed as of the event's own time.

Fraud analysts look at how an order is tied to others: how many accounts share its card or
device, how large the group of accounts linked through shared identifiers is, how fast the same
card is being used. Computed naively on the final graph these features leak: a card shared by a
ring looks shared on the ring's first order already, because the later orders are in the graph.
So every feature here is computed by replaying the events in time order and reading the state
just before (and including) each event:

* ``users_per_<kind>``: distinct accounts seen on this identifier so far;
* ``<kind>_orders_24h`` / ``_7d``: earlier events on the same identifier within the window
  (velocity);
* ``new_<kind>_for_user``: the account has earlier events but never used this identifier;
* ``known_bad_<kind>``: earlier events on the identifier whose positive label had *arrived*
  before this event (``label_time < time``): a chargeback already reported on the same card;
* ``user_prior_orders``, ``user_degree`` (distinct identifiers of the account so far);
* ``component_users``: accounts in the connected component of the account over shared
  identifiers (union-find, growing with time; static account identifiers such as email and phone
  count from the account's creation);
* ``user_pagerank``: PageRank (networkx) of the account in the account-identifier graph of the
  last snapshot strictly before the event (snapshots every ``snapshot_days``: PageRank is global
  and too costly to recompute per event).

Schema-driven: identifier kinds are the untimed labels the event links to (products excluded,
they are what is bought, not who buys). Nothing reads truth files or the final labels.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass

import networkx as nx
import numpy as np
import torch
from networkx.utils import UnionFind
from torch_geometric.data import HeteroData

DAY = 86_400.0


@dataclass(frozen=True)
class GraphFeatureConfig:
    """Which labels play which part; defaults fit the marketplace graph.

    Args:
        event, user: the timed event label and the account label.
        placed: relationship account → event.
        exclude_kinds: labels linked to events that are not identifiers of the buyer.
        static_user_rels: untimed account → identifier relationships known from the account's
            creation (``USED_*`` are aggregates of later behaviour and are not used).
        component_kinds: identifiers that join accounts into components; IPs are left out by
            default because carrier and office IPs join unrelated people.
        windows_days: velocity windows.
        snapshot_days: PageRank recomputation period.
        label, label_time: event properties for ``known_bad_*`` (skipped when absent).
    """

    event: str = "Order"
    user: str = "User"
    placed: str = "PLACED"
    exclude_kinds: tuple[str, ...] = ("Product", "User", "Ticket", "Review")
    static_user_rels: tuple[str, ...] = ("HAS_EMAIL", "HAS_PHONE", "HAS_ADDRESS")
    component_kinds: tuple[str, ...] = ("Card", "Device", "Address", "Email", "Phone")
    windows_days: tuple[float, ...] = (1.0, 7.0)
    snapshot_days: float = 14.0
    label: str = "is_chargeback"
    label_time: str = "chargeback_at"


def identifier_kinds(data: HeteroData, cfg: GraphFeatureConfig) -> dict[str, tuple[str, str, str]]:
    """Identifier label → edge type ``(event, rel, label)`` for untimed labels the event uses."""
    kinds: dict[str, tuple[str, str, str]] = {}
    for et in sorted(data.edge_types):
        src, _, dst = et
        if src == cfg.event and dst not in cfg.exclude_kinds and "time" not in data[dst]:
            kinds.setdefault(dst, et)
    return kinds


class _Components:
    """Connected components over string node ids (networkx's union-find) that counts the
    accounts (``u:`` ids) of each component; only the count is read, so which element networkx
    makes the root does not matter."""

    def __init__(self) -> None:
        self.sets = UnionFind()
        self.users: dict[str, int] = {}  # accounts per current root

    def _root(self, a: str) -> str:
        if a not in self.sets.parents:
            self.users[a] = 1 if a.startswith("u:") else 0
        root: str = self.sets[a]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self._root(a), self._root(b)
        if ra != rb:
            total = self.users.pop(ra) + self.users.pop(rb)
            self.sets.union(ra, rb)
            self.users[self.sets[ra]] = total

    def size(self, a: str) -> int:
        return self.users[self._root(a)]


def _event_identifiers(
    data: HeteroData, kinds: dict[str, tuple[str, str, str]], n: int
) -> dict[str, list[list[int]]]:
    out: dict[str, list[list[int]]] = {}
    for kind, et in kinds.items():
        lists: list[list[int]] = [[] for _ in range(n)]
        for e, ident in data[et].edge_index.t().tolist():
            lists[e].append(ident)
        out[kind] = lists
    return out


def _static_user_links(data: HeteroData, cfg: GraphFeatureConfig) -> dict[int, list[str]]:
    links: dict[int, list[str]] = defaultdict(list)
    for et in data.edge_types:
        src, rel, dst = et
        if src == cfg.user and rel in cfg.static_user_rels:
            for u, ident in data[et].edge_index.t().tolist():
                links[u].append(f"{dst}:{ident}")
    return links


def graph_features(
    data: HeteroData, cfg: GraphFeatureConfig | None = None
) -> dict[str, np.ndarray]:
    """Feature name → ``(num_events,)`` float64 array, each as of the event's own time."""
    cfg = cfg or GraphFeatureConfig()
    ev = data[cfg.event]
    n = int(ev.num_nodes)
    times = ev.time.double().numpy()
    kinds = identifier_kinds(data, cfg)
    idents = _event_identifiers(data, kinds, n)
    placer = np.full(n, -1, dtype=np.int64)
    placed = data[cfg.user, cfg.placed, cfg.event].edge_index.numpy()
    placer[placed[1]] = placed[0]
    known = _label_arrivals(data, cfg, n)
    feats = _replay(data, cfg, times, kinds, idents, placer, known)
    feats["user_pagerank"] = _pagerank_feature(cfg, times, kinds, idents, placer)
    return feats


def _label_arrivals(data: HeteroData, cfg: GraphFeatureConfig, n: int) -> np.ndarray:
    """When each event's positive label arrived (``inf``: never, or not a positive)."""
    ev = data[cfg.event]
    out = np.full(n, math.inf)
    if cfg.label in ev and cfg.label_time in ev:
        pos = np.nan_to_num(ev[cfg.label].double().numpy()) > 0
        at = ev[cfg.label_time].double().numpy()
        out[pos & np.isfinite(at)] = at[pos & np.isfinite(at)]
    return out


def _replay(
    data: HeteroData,
    cfg: GraphFeatureConfig,
    times: np.ndarray,
    kinds: dict[str, tuple[str, str, str]],
    idents: dict[str, list[list[int]]],
    placer: np.ndarray,
    known: np.ndarray,
) -> dict[str, np.ndarray]:
    """Walk events in time order, reading each identifier's state before updating it."""
    n = len(times)
    windows = [w * DAY for w in cfg.windows_days]
    out: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n))
    users_of: dict[tuple[str, int], set[int]] = defaultdict(set)
    recent: dict[tuple[str, int], deque[tuple[float, int]]] = defaultdict(deque)
    arrivals: dict[tuple[str, int], list[float]] = defaultdict(list)
    used: dict[int, set[tuple[str, int]]] = defaultdict(set)
    prior: dict[int, int] = defaultdict(int)
    comps = _Components()
    static = _static_user_links(data, cfg)
    user_time = data[cfg.user].time.double().numpy() if "time" in data[cfg.user] else None
    pending = _static_schedule(static, user_time)
    p = 0
    for i in np.argsort(times, kind="stable").tolist():
        t, u = times[i], int(placer[i])
        while p < len(pending) and pending[p][0] <= t:  # accounts created so far
            _, pu = pending[p]
            for ident in static[pu]:
                comps.union(f"u:{pu}", ident)
            p += 1
        for kind, lists in idents.items():
            for ident in lists[i]:
                key = (kind, ident)
                users_of[key].add(u)
                q = recent[key]
                _velocity(out, kind, i, t, q, windows, cfg.windows_days)
                q.append((t, i))
                bad = sum(1 for a in arrivals[key] if a < t)  # reported before this event
                out[f"known_bad_{kind}"][i] = max(out[f"known_bad_{kind}"][i], bad)
                if math.isfinite(known[i]):
                    arrivals[key].append(float(known[i]))
                if u >= 0:
                    out[f"new_{kind}_for_user"][i] = max(
                        out[f"new_{kind}_for_user"][i], float(prior[u] > 0 and key not in used[u])
                    )
                    used[u].add(key)
                    if kind in cfg.component_kinds:
                        comps.union(f"u:{u}", f"{kind}:{ident}")
                out[f"users_per_{kind}"][i] = max(out[f"users_per_{kind}"][i], len(users_of[key]))
        if u >= 0:
            out["user_prior_orders"][i] = prior[u]
            prior[u] += 1
            out["user_degree"][i] = len(used[u])
            out["component_users"][i] = comps.size(f"u:{u}")
    return dict(out)


def _static_schedule(
    static: dict[int, list[str]], user_time: np.ndarray | None
) -> list[tuple[float, int]]:
    """(time the account's static identifiers became known, account), sorted."""
    rows = []
    for u in static:
        t = user_time[u] if user_time is not None and math.isfinite(user_time[u]) else -math.inf
        rows.append((float(t), u))
    return sorted(rows)


def _velocity(
    out: dict[str, np.ndarray],
    kind: str,
    i: int,
    t: float,
    q: deque[tuple[float, int]],
    windows: list[float],
    window_days: tuple[float, ...],
) -> None:
    """Counts of earlier events on one identifier in each window."""
    longest = max(windows)
    while q and q[0][0] < t - longest:
        q.popleft()
    for w, days in zip(windows, window_days, strict=True):
        name = f"{kind}_orders_{int(days * 24)}h" if days < 2 else f"{kind}_orders_{int(days)}d"
        count = sum(1 for tj, _ in q if tj > t - w and tj < t)
        out[name][i] = max(out[name][i], count)


def _pagerank_feature(
    cfg: GraphFeatureConfig,
    times: np.ndarray,
    kinds: dict[str, tuple[str, str, str]],
    idents: dict[str, list[list[int]]],
    placer: np.ndarray,
) -> np.ndarray:
    """Account PageRank (scaled by graph size) from the last snapshot before each event."""
    out = np.zeros(len(times))
    if len(times) == 0:
        return out
    order = np.argsort(times, kind="stable")
    step = cfg.snapshot_days * DAY
    graph: nx.Graph = nx.Graph()
    start, k = float(times[order[0]]), 0
    ranks: dict[str, float] = {}
    edge_ptr = 0
    while k < len(order):
        end = start + step
        batch = []
        while k < len(order) and times[order[k]] < end:
            batch.append(int(order[k]))
            k += 1
        for i in batch:  # scored against the snapshot built from events before ``start``
            u = int(placer[i])
            out[i] = ranks.get(f"u:{u}", 0.0) * max(graph.number_of_nodes(), 1)
        for i in batch:
            u = int(placer[i])
            if u < 0:
                continue
            for kind, lists in idents.items():
                for ident in lists[i]:
                    graph.add_edge(f"u:{u}", f"{kind}:{ident}")
        edge_ptr += len(batch)
        ranks = nx.pagerank(graph, tol=1e-6) if graph.number_of_edges() else {}
        start = end
    return out


def feature_matrix(feats: dict[str, np.ndarray]) -> tuple[torch.Tensor, list[str]]:
    """Stack features in name order as float32 (``log1p`` of counts keeps scales comparable)."""
    names = sorted(feats)
    cols = [np.log1p(np.maximum(feats[name], 0.0)) for name in names]
    return torch.from_numpy(np.stack(cols, axis=1).astype(np.float32)), names
