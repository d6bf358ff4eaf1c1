"""Item-kNN's fit at real size: the sparse blocked fit beside the dense one it replaced.

The dense fit (kept here verbatim as the baseline) made the users x items matrix and three
items x items float32 matrices (``R^T R``, the cosine, the kept neighbours): about 20 GB at the
issue's 41k items, so item-kNN was left out of ``bench/recsys_scale.py``'s models. The sparse
fit (``gnn.baselines.knn_similarity``) makes ``R^T R`` a bounded block of items at a time and
keeps ``k`` neighbours per item. Both run on ``bench/recsys_scale.py``'s synthetic power-law
graph (no Neo4j: the fit is the point), each in its own child process so its peak RSS is its
own (the table shows its growth during the fit: the peak minus the RSS before the fit,
imports and the graph excluded); the dense one is skipped where its matrices alone would
exceed ``--dense-limit-gb``. The two are compared: the kept values within float32 rounding,
the share of items whose neighbour sets differ, and how far a value kept by only one of them
is from the row's cut (0 up to rounding: ``torch.topk`` kept another of several equal values).
Also timed: one scoring pass of the new model over every user, 1,024 at a time (what an
evaluation of every user costs before its ranking).

    .venv/bin/python bench/item_knn.py                       # 100k, 300k and 1M interactions
    .venv/bin/python bench/item_knn.py --sizes 100k --k 400
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

SIZES = {"100k": 100_000, "300k": 300_000, "1m": 1_000_000}


def dense_fit(positives: Any, users: int, items: int, k: int) -> Any:
    """The previous ``ItemKNN.fit`` (torch, dense), returning its kept-neighbour matrix."""
    import torch

    r = torch.zeros(users, items)
    r[positives[0], positives[1]] = 1.0
    co = r.T @ r
    norm = co.diagonal().clamp(min=1).sqrt()
    sim = co / norm[:, None] / norm[None, :]
    sim.fill_diagonal_(0.0)
    top = torch.topk(sim, min(k, items), dim=1)
    return torch.zeros_like(sim).scatter_(1, top.indices, top.values)


def dense_gb(users: int, items: int) -> float:
    """Float32 bytes of the dense fit's matrices (users x items plus three items x items)."""
    return 4 * (users * items + 3 * items * items) / 2**30


def _child(kind: str, n: int, k: int, seed: int, out: str) -> dict[str, Any]:
    """One fit of ``kind`` on the ``n``-interaction graph; its matrix saved to ``out``."""
    import scipy.sparse as sp
    import torch

    from bench.recsys_scale import synthetic
    from gnn.baselines import ItemKNN

    g = synthetic(n, seed)
    users, items = int(g["users"]), int(g["items"])
    pos = torch.from_numpy(np.stack([g["u"], g["i"]]).astype(np.int64))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    if kind == "dense":
        sim = sp.csr_matrix(dense_fit(pos, users, items, k).numpy())
        res: dict[str, Any] = {"fit_s": time.perf_counter() - t0}
    else:
        model = ItemKNN(users, items, k).fit(pos)
        res = {"fit_s": time.perf_counter() - t0}
        sim = model.sim
    res["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if kind == "sparse":  # every user scored, 1,024 at a time as the evaluation does
        t0 = time.perf_counter()
        for start in range(0, users, 1024):
            model(torch.arange(start, min(start + 1024, users)))
        res["score_all_users_s"] = time.perf_counter() - t0
    res["rss_before_fit_mb"] = before
    res.update(users=users, items=items, interactions=int(pos.shape[1]), nnz=int(sim.nnz))
    sp.save_npz(out, sp.csr_matrix(sim, dtype=np.float32))
    return res


def _run(kind: str, n: int, k: int, seed: int, tmp: Path) -> dict[str, Any]:
    """One fit in a fresh process (its own peak RSS); its result and kept matrix."""
    import scipy.sparse as sp

    path = tmp / f"{kind}-{n}.npz"
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_wrap, args=(kind, n, k, seed, str(path), q))
    p.start()
    res = q.get()
    p.join()
    res["sim"] = sp.load_npz(path)
    return dict(res)


def _wrap(kind: str, n: int, k: int, seed: int, out: str, q: Any) -> None:
    q.put(_child(kind, n, k, seed, out))


def agreement(new: Any, old: Any) -> dict[str, float]:
    """Largest relative difference of values both kept; share of items with another set; and
    for those, the largest relative distance of a swapped value from the row's cut (the
    smallest kept value): 0 up to rounding means every difference is a tie at the cut."""
    new, old = new.tocsr(), old.tocsr()
    new.eliminate_zeros()
    old.eliminate_zeros()
    swapped = abs(abs(new.sign()) - abs(old.sign())).tocsr()  # kept by one fit only
    swapped.eliminate_zeros()
    changed = np.diff(swapped.indptr) > 0
    both = new.multiply(old.sign()).tocsr()
    a = np.asarray(both[both.nonzero()]).ravel()
    b = np.asarray(old[both.nonzero()]).ravel()
    rel = float(np.max(np.abs(a - b) / np.abs(b))) if a.size else 0.0
    cut = np.full(new.shape[0], np.inf)
    for m in (new, old):
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        np.minimum.at(cut, rows, m.data)
    rows, cols = swapped.nonzero()
    vals = np.maximum(np.asarray(new[rows, cols]).ravel(), np.asarray(old[rows, cols]).ravel())
    off = float(np.max(np.abs(vals - cut[rows]) / cut[rows])) if rows.size else 0.0
    return {
        "max_rel_diff": rel,
        "items_with_other_neighbours": float(changed.mean()),
        "swapped_off_cut_rel": off,
    }


def table_row(label: str, row: dict[str, Any]) -> str:
    """One markdown row: dense and sparse fit side by side, agreement where both ran."""
    d, ag = row.get("dense"), row.get("agreement")
    grew = row["rss_mb"] - row["rss_before_fit_mb"]
    dense = "skipped (needs {:.0f} GB) | - | -".format(row["dense_needs_gb"])
    if d:
        d_grew = d["rss_mb"] - d["rss_before_fit_mb"]
        dense = f"{d['fit_s']:.1f} | {d_grew:,.0f} | {d['fit_s'] / row['fit_s']:.1f}"
    agree = "- | - | -"
    if ag:
        other, off = ag["items_with_other_neighbours"], ag["swapped_off_cut_rel"]
        agree = f"{ag['max_rel_diff']:.1e} | {other:.2%} | {off:.1e}"
    return (
        f"| {label} | {row['users']:,} | {row['items']:,} | {row['fit_s']:.1f} | {grew:,.0f} "
        f"| {dense} | {row['nnz']:,} | {row['score_all_users_s']:.1f} | {agree} |"
    )


def main(argv: list[str] | None = None) -> None:
    import tempfile

    from bench.common import Machine, command_line

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    p.add_argument("--k", type=int, default=400, help="neighbours kept (RecommendConfig's 400)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--dense-limit-gb", type=float, default=12.0)
    p.add_argument("--json", type=Path)
    a = p.parse_args(argv)
    results: dict[str, Any] = {"command": command_line(), "machine": Machine.here().as_dict()}
    print(f"{results['command']}\n{results['machine']}", flush=True)
    print(
        "| size | users | items | sparse fit s | sparse +RSS MB | dense fit s | dense +RSS MB "
        "| dense / sparse | kept nnz | score all users s | max rel diff | items w/ other set "
        "| swapped vs cut |"
    )
    print("|---" * 13 + "|")
    with tempfile.TemporaryDirectory(prefix="knn-") as tmp:
        for label in a.sizes:
            n = SIZES[label]
            new = _run("sparse", n, a.k, a.seed, Path(tmp))
            need = dense_gb(new["users"], new["items"])
            old = _run("dense", n, a.k, a.seed, Path(tmp)) if need <= a.dense_limit_gb else None
            row: dict[str, Any] = {k: v for k, v in new.items() if k != "sim"}
            row["dense_needs_gb"] = round(need, 1)
            if old is not None:
                row["dense"] = {k: v for k, v in old.items() if k != "sim"}
                row["agreement"] = agreement(new["sim"], old["sim"])
            results[label] = row
            print(table_row(label, row), flush=True)
    results["load_avg_end"] = Machine.here().load_avg_1m
    print(f"load avg at end {results['load_avg_end']}")
    if a.json:
        a.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
