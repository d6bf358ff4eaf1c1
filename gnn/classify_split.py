"""Train/evaluation folds of a node classifier, and the leakage check that guards them.

* **temporal** (the target has a time): cuts ``t1 < t2`` at quantiles of the target times among
  nodes whose label has *matured* (``time <= data end - label_delay_days``). A model trained at
  a cut sees nodes older than ``cut - gap_days`` and a positive label only if it arrived before
  the cut; later positives count as negatives then, exactly what a fraud team knows that day.
* **given**: a ``split`` property with ``train`` / ``valid`` / ``test``.

See ``gnn.classify`` for how the folds are trained on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from gnn.classify_spec import ClassifyError, ClassifySpec
from gnn.classify_views import View
from gnn.message_graph import LeakageError

DAY = 86_400.0


@dataclass
class Fold:
    """Nodes a model is trained on (with the labels known then) and the nodes it is scored on."""

    name: str
    cut: float
    train: Tensor
    train_y: Tensor
    eval: Tensor
    eval_y: Tensor


@dataclass
class NodeSplit:
    """The two folds plus the numbers the report shows."""

    valid: Fold
    test: Fold
    info: dict[str, Any] = field(default_factory=dict)


def labels(data: HeteroData, spec: ClassifySpec) -> Tensor:
    """0/1 float labels of the target (missing → 0: no chargeback reported)."""
    store = data[spec.target]
    if spec.label not in store:
        raise ClassifyError(f"{spec.target} has no label property {spec.label!r}", code="E531")
    return (torch.nan_to_num(store[spec.label].double()) > 0).double()


def node_split(data: HeteroData, spec: ClassifySpec) -> NodeSplit:
    """Folds for ``spec.split`` (see the module docstring)."""
    if spec.split == "given":
        return _given_split(data, spec)
    if spec.split != "temporal":
        raise ClassifyError(f"unknown split {spec.split!r}: temporal or given", code="E532")
    store, y = data[spec.target], labels(data, spec)
    if spec.time not in store:
        raise ClassifyError(f"{spec.target} has no time property {spec.time!r}", code="E533")
    t = store[spec.time].double()
    arrival = label_arrival(store, spec, t, y)
    end = float(
        torch.nan_to_num(torch.cat([t, arrival[torch.isfinite(arrival)]]), nan=-math.inf).max()
    )
    mature_end = end - spec.label_delay_days * DAY
    mature = torch.isfinite(t) & (t <= mature_end)
    if int(mature.sum()) < 3:
        raise ClassifyError("too few matured target nodes for a temporal split", code="E534")
    q = torch.tensor([1 - spec.valid_frac - spec.test_frac, 1 - spec.test_frac], dtype=t.dtype)
    t1, t2 = torch.quantile(t[mature], q).tolist()
    folds = [
        _temporal_fold(name, cut, stop, t, y, arrival, spec)
        for name, cut, stop in (("valid", t1, t2), ("test", t2, mature_end + 1.0))
    ]
    info = {
        "kind": "temporal, label delay",
        "t1": t1,
        "t2": t2,
        "mature_end": mature_end,
        "gap_days": spec.gap_days,
        "label_delay_days": spec.label_delay_days,
        "label_time": spec.label_time,
    }
    return NodeSplit(folds[0], folds[1], info)


def label_arrival(store: Any, spec: ClassifySpec, t: Tensor, y: Tensor) -> Tensor:
    """When each positive label became known (``inf`` for negatives)."""
    if spec.label_time is not None and spec.label_time in store:
        at = store[spec.label_time].double()
        at = torch.where(torch.isfinite(at), at, t + spec.label_delay_days * DAY)
    else:
        at = t + spec.label_delay_days * DAY
    return torch.where(y > 0, at, torch.full_like(at, math.inf))


def _temporal_fold(
    name: str, cut: float, stop: float, t: Tensor, y: Tensor, arrival: Tensor, spec: ClassifySpec
) -> Fold:
    train = torch.nonzero(t < cut - spec.gap_days * DAY).flatten()
    ev = torch.nonzero((t >= cut) & (t < stop)).flatten()
    known = (arrival[train] < cut).double()  # positives reported by the cut; the rest look clean
    return Fold(name, cut, train, known, ev, y[ev])


def _given_split(data: HeteroData, spec: ClassifySpec) -> NodeSplit:
    store, y = data[spec.target], labels(data, spec)
    if f"{spec.split_property}__values" not in store:
        raise ClassifyError(
            f"{spec.target} has no text property {spec.split_property!r}", code="E535"
        )
    codes, values = store[spec.split_property], list(store[f"{spec.split_property}__values"])
    idx = {}
    for part in ("train", "valid", "test"):
        if part not in values:
            raise ClassifyError(
                f"no {spec.target} node has {spec.split_property}={part!r}", code="E536"
            )
        idx[part] = torch.nonzero(codes == values.index(part)).flatten()
    tr = idx["train"]
    folds = [Fold(p, math.inf, tr, y[tr], idx[p], y[idx[p]]) for p in ("valid", "test")]
    counts = {p: int(v.numel()) for p, v in idx.items()}
    return NodeSplit(
        folds[0], folds[1], {"kind": "given", "property": spec.split_property, "nodes": counts}
    )


def check_no_leakage(view: View, fold: Fold, spec: ClassifySpec) -> None:
    """Raise ``LeakageError`` if a training node, edge or positive label is from after the cut.

    On the causal view every edge must also run from an older node to a younger one."""
    if not math.isfinite(fold.cut):
        return  # a given split has no time to leak across
    problems = []
    t = view.time
    late = int((~(t[fold.train] < fold.cut)).sum())
    if late:
        problems.append(f"{late} training nodes at or after the cut")
    if view.label_arrival is not None:
        arrived = view.label_arrival[fold.train][fold.train_y > 0]
        if int((~(arrived < fold.cut)).sum()):
            problems.append("training labels that arrived after the cut")
    for et, ei in view.edges.items():
        if et[0] == et[2] == view.target and ei.numel() and int((t[ei[0]] >= t[ei[1]]).sum()):
            problems.append(f"{et} edges from a node to an older one")
    if problems:
        raise LeakageError("classification fold leaks: " + "; ".join(problems), code="E511")


def describe_split(split: NodeSplit) -> dict[str, Any]:
    """Counts and positives per period for the report."""
    out = dict(split.info)
    for key in ("t1", "t2", "mature_end"):
        if key in out:
            out[f"{key}_iso"] = _iso(out[key])
    out["periods"] = {
        "train@t1": _count(split.valid.train_y),
        "valid": _count(split.valid.eval_y),
        "train@t2": _count(split.test.train_y),
        "test": _count(split.test.eval_y),
    }
    return out


def _count(y: Tensor) -> dict[str, int]:
    return {"nodes": int(y.numel()), "positives": int(y.sum())}


def _iso(t: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, tz=UTC).isoformat()
