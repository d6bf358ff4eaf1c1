"""A generic fraud graph with a knob for camouflage: accounts, numeric features, three relations.

The shape of the public fraud benchmarks (Amazon/YelpChi as used by CARE-GNN and GADBench: ~10k
accounts, 25 numeric features, ~175k account-account edges over three relations, ~7 % fraud,
a given 40/20/40 split), made here because nothing may be downloaded at run time. It goes
through the same path a user's graph takes: CSV files, ``extraction/mappings/fraud_graph.yaml``
and the task spec ``testbeds/fraud_graph.task.yaml``.

What makes fraud findable, and what ``camouflage`` (0 = plain, 1 = camouflaged) takes away:

* features: fraudsters differ on 6 of 25 features by a shift that shrinks from 1.0 to 0.5
  standard deviations (they mimic benign accounts);
* ``SAME_DEVICE`` (ring relation): fraudsters work in rings of about 8 and share devices inside
  the ring (80 % of their device links); camouflaged, 30 %, the rest going to benign accounts;
* ``REVIEWED_SAME``: co-activity, fraudsters link to benign accounts mostly (heterophily);
  camouflaged, entirely;
* ``SAME_MONTH``: noise, uniform over everyone.
Degrees are heavy-tailed (log-normal) on every relation, fraudsters' like benign ones.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAPPING = Path(__file__).resolve().parents[1] / "extraction" / "mappings" / "fraud_graph.yaml"
TASK = Path(__file__).resolve().parent / "fraud_graph.task.yaml"
RELATIONS = ("SAME_DEVICE", "REVIEWED_SAME", "SAME_MONTH")


@dataclass(frozen=True)
class FraudGraphConfig:
    """Sizes and difficulty; defaults are the public benchmarks' shape."""

    accounts: int = 10_000
    features: int = 25
    edges: int = 175_000
    fraud_rate: float = 0.07
    camouflage: float = 0.0
    ring_size: int = 8
    split: tuple[float, float, float] = (0.4, 0.2, 0.4)


@dataclass
class FraudGraph:
    features: np.ndarray  # (n, f) float64
    is_fraud: np.ndarray  # (n,) bool
    split: np.ndarray  # (n,) "train" | "valid" | "test"
    edges: dict[str, np.ndarray]  # relation -> (2, E) int64, account indices


def generate(cfg: FraudGraphConfig, seed: int = 7) -> FraudGraph:
    """One graph, a pure function of ``(cfg, seed)``."""
    rng = np.random.default_rng(seed)
    n, c = cfg.accounts, float(np.clip(cfg.camouflage, 0.0, 1.0))
    fraud = rng.random(n) < cfg.fraud_rate
    x = rng.normal(size=(n, cfg.features))
    informative = min(6, cfg.features)
    shift = 1.0 - 0.5 * c
    x[fraud, :informative] += shift * rng.choice([-1.0, 1.0], size=informative)
    x[:, informative:] += 0.1 * rng.normal(size=(n, cfg.features - informative))
    ring = _rings(rng, np.flatnonzero(fraud), cfg.ring_size, n)
    weight = rng.lognormal(0.0, 1.0, n)  # heavy-tailed activity, same law for both classes
    per_rel = np.full(len(RELATIONS), cfg.edges // len(RELATIONS))
    per_rel[0] += cfg.edges - int(per_rel.sum())
    homophily = {  # P(a fraudster's edge goes to a fraudster) per relation
        "SAME_DEVICE": 0.8 - 0.5 * c,
        "REVIEWED_SAME": 0.1 * (1.0 - c),
        "SAME_MONTH": None,
    }
    edges = {
        rel: _edges(rng, int(m), weight, fraud, ring, homophily[rel])
        for rel, m in zip(RELATIONS, per_rel, strict=True)
    }
    cut = np.cumsum(cfg.split)[:2]
    u = rng.random(n)
    split = np.where(u < cut[0], "train", np.where(u < cut[1], "valid", "test"))
    return FraudGraph(x, fraud, split, edges)


def _rings(rng: np.random.Generator, frauds: np.ndarray, size: int, n: int) -> np.ndarray:
    ring = np.full(n, -1)
    order = rng.permutation(frauds)
    ring[order] = np.arange(order.size) // max(size, 1)
    return ring


def _edges(
    rng: np.random.Generator,
    m: int,
    weight: np.ndarray,
    fraud: np.ndarray,
    ring: np.ndarray,
    homophily: float | None,
) -> np.ndarray:
    """``m`` directed edges; sources by activity; targets by the relation's mixing rule."""
    p = weight / weight.sum()
    src = rng.choice(weight.size, size=m, p=p)
    dst = rng.choice(weight.size, size=m, p=p)  # uniform mixing by activity
    if homophily is not None:
        benign = np.flatnonzero(~fraud)
        pb = weight[benign] / weight[benign].sum()
        from_fraud = fraud[src]
        to_ring = from_fraud & (rng.random(m) < homophily)
        # a fraudster's ring edge: another member of its ring (rings are small and dense)
        members = {r: np.flatnonzero(ring == r) for r in np.unique(ring[ring >= 0])}
        idx = np.flatnonzero(to_ring)
        dst[idx] = [rng.choice(members[ring[s]]) for s in src[idx]]
        to_benign = from_fraud & ~to_ring
        dst[to_benign] = rng.choice(benign, size=int(to_benign.sum()), p=pb)
        # benign sources keep activity-proportional targets; fraudsters mostly hide among them
    keep = src != dst
    pairs = np.unique(np.stack([src[keep], dst[keep]], 1), axis=0)  # a relationship once
    return pairs.T.astype(np.int64)


def write_sources(graph: FraudGraph, out: Path) -> dict[str, int]:
    """``accounts.csv`` and one CSV per relation, as the mapping file expects."""
    out.mkdir(parents=True, exist_ok=True)
    n, f = graph.features.shape
    with (out / "accounts.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["account_id", *(f"f{j}" for j in range(f)), "is_fraud", "split"])
        for i in range(n):
            w.writerow(
                [f"acc{i}", *(repr(float(v)) for v in graph.features[i]),
                 int(graph.is_fraud[i]), graph.split[i]]
            )  # fmt: skip
    counts = {"accounts": n}
    for rel, ei in graph.edges.items():
        with (out / f"{rel.lower()}.csv").open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["src", "dst"])
            w.writerows((f"acc{a}", f"acc{b}") for a, b in ei.T.tolist())
        counts[rel] = int(ei.shape[1])
    return counts
