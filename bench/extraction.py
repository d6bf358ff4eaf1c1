"""Text extraction and entity resolution per scale (issue 14, point 2), baselines side by side.

Three parts, each printed as a table and written to ``bench/out/extraction-<scales>.json``:

1. **Text extraction, current path vs this tree.** ``extract_all_timed`` on the same data
   folder, once from a ``git archive`` export of ``--baseline-ref`` (the code before the
   batching work) and once from this tree, each in a fresh process (model load included), one
   after the other. Documents/s for each, the ratio, and whether the two produced the same
   facts.
2. **Sentence encoder.** The same titles encoded by MiniLM in float32 at the old batch of 256
   (the baseline), at the CPU default batch (``embed.CPU_BATCH``) and with torch's dynamic int8
   quantisation (``Embedder(quantize=True)``), all on one thread, alternating rounds; texts/s,
   the ratio to the baseline, the largest difference between the float32 vectors and the cosine
   between int8 and float32 vectors of each title.
3. **Entity resolution growth.** Per scale: product listings as the mapping engine produces
   them, prepared with the extracted-attribute veto, then candidates, scoring and clustering
   once per neighbour search, side by side in one process on one thread (BLAS pinned like
   faiss): ``exact`` (every brand block brute force), ``default`` (HNSW on blocks of
   ``AnnParams.exact_below`` columns or more, exact below) and ``hnsw`` (the graph on every
   block). For each: distance computations per listing (exact dot products + HNSW query
   distances; graph building is timed, not counted), neighbour-search seconds, ER seconds per
   1k listings, pairwise P/R/F1 against the generator's truth and the links the exact run also
   makes. ``--exact-scales`` limits the exact run to some scales. For customers (skipped with
   ``--no-customers``) the blocking comparisons, seconds and P/R/F1 over profile pairs (app
   accounts need the order graph; not here). Title vectors are encoded once per scale and
   cached under ``var/bench-extraction/`` (``--fresh-vectors`` re-encodes), so ER seconds
   exclude encoding; part 2 gives its rate.
4. **Neighbour search past ``large``** (``--synthetic N ...``): the brand-blocked search alone
   on clustered random 384-d vectors of N listings, exact vs default, seconds, distances per
   listing and the recall of the HNSW neighbours at cosine >= 0.7.

Usage::

    .venv/bin/python bench/extraction.py --scales small medium large --extract-scales small medium
    .venv/bin/python bench/extraction.py --scales small medium large --extract-scales
        --encoder-texts 0 --no-customers --synthetic 18549 74196 296784      (one line)
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bench.common import OUT_DIR, ROOT, Stopwatch
from cartograph.pipeline import ensure_marketplace

MAPPING = ROOT / "extraction" / "mappings" / "marketplace.yaml"
CACHE = ROOT / "var" / "bench-extraction"
BASELINE_REF = "5d1763b"  # main before issue 14 point 2

_RUN = """
import json, pickle, resource, sys, time
from pathlib import Path
from extraction.nlp.run import extract_all_timed, score_all
data = Path(sys.argv[1])
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0, c0 = time.perf_counter(), cpu()
kwargs = {"quantize": True} if sys.argv[3:] == ["int8"] else {}
facts, timings = extract_all_timed(data, **kwargs)
wall, cpu_s = time.perf_counter() - t0, cpu() - c0
scores = score_all(facts, data / "truth")
pickle.dump(list(set(facts)), open(sys.argv[2], "wb"))
print(json.dumps({"timings": timings, "wall_s": wall, "cpu_s": cpu_s, "scores": scores}))
"""


def _export(ref: str) -> Path:
    """The tree at ``ref`` as plain files (the current path, runnable beside this one)."""
    out = CACHE / f"tree-{ref}"
    if not (out / "extraction").is_dir():
        out.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", ref], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def _extract_in(tree: Path, data_dir: Path, tag: str, *extra: str) -> dict[str, Any]:
    facts_path = CACHE / f"facts-{tag}.pkl"
    env = {**os.environ, "PYTHONPATH": str(tree), "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(data_dir), str(facts_path), *extra],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise RuntimeError(f"extraction in {tree} failed:\n{proc.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["facts_path"] = str(facts_path)
    return out


def _headline(scores: dict[str, Any]) -> dict[str, float]:
    """The held-out numbers BENCHMARKS.md quotes (attributes F1, intent/sentiment accuracy)."""
    return {
        "attributes_f1": round(scores["attributes"]["heldout"]["f1"], 4),
        "order_refs_f1": round(scores["order_refs"]["heldout"]["f1"], 4),
        "intent_acc": round(scores["intent"]["heldout"]["accuracy"], 4),
        "sentiment_acc": round(scores["sentiment"]["heldout"]["accuracy"], 4),
    }


def text_extraction(scale: str, seed: int, ref: str) -> dict[str, Any]:
    data_dir = ensure_marketplace(ROOT / "var" / "data", scale, seed)
    base = _extract_in(_export(ref), data_dir, f"{scale}-baseline")
    new = _extract_in(ROOT, data_dir, f"{scale}-new")
    int8 = _extract_in(ROOT, data_dir, f"{scale}-int8", "int8")
    old_facts = set(pickle.loads(Path(base["facts_path"]).read_bytes()))
    new_facts = set(pickle.loads(Path(new["facts_path"]).read_bytes()))
    loose = {_loose(f) for f in old_facts} ^ {_loose(f) for f in new_facts}
    docs = new["timings"]["documents"]
    rows = {}
    for name, res in (("baseline", base), ("new", new), ("int8", int8)):
        facts = pickle.loads(Path(res["facts_path"]).read_bytes())
        rows[name] = {
            "documents": docs,
            "stage_s": res["timings"]["total"],
            "docs_per_s": round(docs / res["timings"]["total"], 1),
            "wall_s": round(res["wall_s"], 1),
            "cpu_s": round(res["cpu_s"], 1),
            "timings": res["timings"],
            "quality": {
                **_headline(res["scores"]),
                "aspect_polarity_acc": _aspect_polarity(facts, data_dir / "truth"),
            },
        }
    return {
        "scale": scale,
        "baseline_ref": ref,
        **rows,
        "speedup": round(rows["baseline"]["stage_s"] / rows["new"]["stage_s"], 2),
        "speedup_int8": round(rows["baseline"]["stage_s"] / rows["int8"]["stage_s"], 2),
        "facts": {"baseline": len(old_facts), "new": len(new_facts)},
        "facts_differing_beyond_confidence": len(loose),
    }


def _aspect_polarity(facts: list[Any], truth_dir: Path) -> float:
    """Accuracy of the polarity of each (review, aspect) found that the truth also lists
    (``score_all`` scores which aspects, not their polarity)."""
    truth = {}
    with (truth_dir / "reviews.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            for aspect, polarity in row["aspect_sentiment"].items():
                truth[(row["review_id"], aspect)] = polarity
    best: dict[tuple[str, str], tuple[str, float]] = {}
    for f in facts:
        key = (f.source_key, f.name)
        if f.kind == "aspect" and (key not in best or f.confidence > best[key][1]):
            best[key] = (f.value, f.confidence)
    found = [k for k in best if k in truth]
    return round(sum(best[k][0] == truth[k] for k in found) / max(len(found), 1), 4)


def _loose(fact: Any) -> tuple[Any, ...]:
    """A fact without its confidence (float noise from batch padding differs in the 4th
    decimal)."""
    return (fact.source_key, fact.kind, fact.name, fact.value, fact.field, fact.start, fact.end)


ENCODER_ROUNDS = 2


def encoder_rates(texts: list[str]) -> dict[str, Any]:
    from extraction.nlp.embed import Embedder

    out: dict[str, Any] = {"texts": len(texts)}
    vecs: dict[str, np.ndarray] = {}
    # float32 at the old batch of 256 is the baseline; the CPU default (32) and int8 beside it,
    # in alternating rounds (best of them), so a busy spell hits every contender alike
    contenders = {"float32@256": Embedder(batch_size=256), "float32": Embedder(),
                  "int8": Embedder(quantize=True)}  # fmt: skip
    for enc in contenders.values():
        enc.encode(texts[:32])  # warm-up
    best: dict[str, float] = {}
    for _ in range(ENCODER_ROUNDS):
        for name, enc in contenders.items():
            with Stopwatch() as watch:
                vecs[name] = enc.encode(texts)
            best[name] = min(best.get(name, float("inf")), watch.seconds)
    for name, enc in contenders.items():
        out[name] = {
            "batch": enc.batch_size,
            "seconds": round(best[name], 2),
            "texts_per_s": round(len(texts) / best[name], 1),
            "ratio": round(best["float32@256"] / best[name], 2),
        }
    out["float32_max_abs_diff_vs_256"] = float(np.abs(vecs["float32"] - vecs["float32@256"]).max())
    cos = (vecs["float32"] * vecs["int8"]).sum(axis=1)
    out["cosine_min"], out["cosine_mean"] = round(float(cos.min()), 4), round(float(cos.mean()), 4)
    return out


def _records(data_dir: Path, sources: tuple[str, ...]) -> Any:
    """The mapping engine's records for some sources only (no pseudonymiser: nothing leaves)."""
    from extraction.mapping import load_mapping
    from extraction.rejects import RejectsWriter
    from extraction.transform import extract

    mapping = load_mapping(MAPPING, data_dir)
    mapping = mapping.model_copy(
        update={"sources": {k: v for k, v in mapping.sources.items() if k in sources}}
    )
    with RejectsWriter(CACHE / f"rejects-{data_dir.name}.csv") as rejects:
        return extract(mapping, None, rejects)


def _title_vectors(titles: list[str], path: Path, fresh: bool) -> tuple[np.ndarray, float | None]:
    """MiniLM title vectors, from the cache when it holds every title (seconds: None)."""
    store: dict[str, np.ndarray] = {}
    if path.exists() and not fresh:
        store = pickle.loads(path.read_bytes())
    missing = sorted(set(titles) - store.keys())
    seconds = None
    if missing:
        from extraction.nlp.embed import shared_embedder

        with Stopwatch() as watch:
            store.update(zip(missing, shared_embedder().encode(missing), strict=True))
        seconds = watch.seconds
        path.write_bytes(pickle.dumps(store))
    return np.stack([store[t] for t in titles]), seconds


def _product_facts(data_dir: Path) -> dict[str, dict[str, str]]:
    """What text extraction states per product node (as the ER enricher reads it)."""
    from extraction.enrich import stated_attributes
    from extraction.nlp.facts import facts_to_records
    from extraction.nlp.products import ProductExtractor
    from extraction.nlp.run import load_inputs

    inp = load_inputs(data_dir)
    px = ProductExtractor.from_catalogue(inp["shop"], inp["listing_texts"])
    _, rels = facts_to_records(px.extract(inp["products"]))
    return stated_attributes(rels)


def entity_resolution(
    scale: str, seed: int, fresh: bool, exact: bool = True, customers: bool = True
) -> dict[str, Any]:
    from extraction.resolve import products as pm
    from extraction.resolve.ann import AnnParams, SearchStats
    from extraction.resolve.clusters import cluster, drop_ambiguous
    from extraction.resolve.listings import prepare
    from extraction.resolve.people import parse_profile
    from extraction.resolve.product_config import ProductConfig
    from extraction.resolve.scoring import (
        account_clusters,
        evaluate,
        pairwise_prf,
        product_clusters,
    )
    from extraction.resolve.users import USER, UserWeights, candidate_pairs, score_pair

    data_dir = ensure_marketplace(ROOT / "var" / "data", scale, seed)
    out: dict[str, Any] = {"scale": scale}
    with Stopwatch() as watch:
        extracted = _records(data_dir, ("webshop_products", "marketplace_listings"))
    products: dict[str, dict[str, Any]] = {}
    for node in extracted.nodes:
        if node.label == "Product":
            products.setdefault(node.key, {}).update(node.props)
    with Stopwatch() as facts_watch:
        stated = _product_facts(data_dir)
    cfg = ProductConfig()
    truth = product_clusters(data_dir)
    t0 = time.perf_counter()
    listings = prepare(products, cfg.fx_to_eur, stated)
    prepare_s = time.perf_counter() - t0
    vectors, encode_s = _title_vectors(
        [item.title for item in listings], CACHE / f"titles-{scale}-seed{seed}.pkl", fresh
    )
    out["listings"] = n = len(listings)
    out["knn_comparisons"] = pm.nearest_comparisons(listings)
    out["prepare_s"] = round(prepare_s, 2)
    out["encode_s"] = None if encode_s is None else round(encode_s, 1)
    runs: dict[str, Any] = {}
    # exact: every block brute force; default: HNSW on blocks of cfg.ann.exact_below columns or
    # more; hnsw: the graph on every block, however small (what the default does past large).
    assert cfg.ann is not None
    searches: dict[str, AnnParams | None] = {"exact": None} if exact else {}
    searches.update({"default": cfg.ann, "hnsw": replace(cfg.ann, exact_below=0)})
    for name, ann in searches.items():
        t: dict[str, float] = {}
        stats = SearchStats()
        t0 = time.perf_counter()
        candidates = pm.candidate_pairs(listings, vectors, cfg.k, cfg.max_block, ann, stats)
        t["candidates_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        scored = []
        for i, j, cos in candidates:
            score, method = pm.score_pair(listings[i], listings[j], cos, cfg)
            if score >= 0.4:
                scored.append((score, i, j, method))
        t["score_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        kept = drop_ambiguous(listings, scored, cfg)
        matches = cluster(
            listings, kept, lambda a, b: pm.compatible(a, b, cfg), cfg.unique_platforms
        )
        t["cluster_s"] = time.perf_counter() - t0
        quality = evaluate(matches, truth)
        runs[name] = {
            **{k: round(v, 2) for k, v in t.items()},
            "neighbours_s": round(stats.seconds["neighbours"], 2),
            "er_s": round(sum(t.values()), 2),
            "exact_products": stats.exact_products,
            "ann_distances": stats.ann_distances,
            "ann_indexed": stats.ann_indexed,
            "blocks_exact_ann": [stats.exact_blocks, stats.ann_blocks],
            "distances_per_listing": round((stats.exact_products + stats.ann_distances) / n, 1),
            "candidate_pairs": len(candidates),
            "links": len(matches),
            "matches": sorted((m.key_a, m.key_b) for m in matches),
            "direct": {k: round(v, 4) for k, v in quality["direct"].items()},
            "closure": {k: round(v, 4) for k, v in quality["closure"].items()},
        }
    if "exact" in runs:
        base = set(map(tuple, runs["exact"]["matches"]))
        e = runs["exact"]["neighbours_s"]
        for r in runs.values():
            r["links_in_exact"] = len(base & set(map(tuple, r["matches"])))
            r["neighbour_speedup"] = round(e / max(r["neighbours_s"], 1e-9), 2)
    for r in runs.values():
        del r["matches"]
    out["products"] = runs
    out["product_records_s"] = round(watch.seconds, 1)
    out["product_facts_s"] = round(facts_watch.seconds, 1)
    if not customers:
        return out

    with Stopwatch() as watch:
        people = _records(data_dir, ("webshop_customers", "marketplace_accounts"))
    profiles = [
        parse_profile(key, raw)
        for (label, key), raw in sorted(people.profiles.items())
        if label == USER
    ]
    t0 = time.perf_counter()
    pairs = candidate_pairs(profiles)
    block_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    weights = UserWeights()
    links = set()
    for a, b in pairs:
        match = score_pair(a, b, weights)
        if match is not None and match.score >= 0.6:
            links.add(match.pair)
    score_s = time.perf_counter() - t0
    keys = {p.key for p in profiles}
    truth_people = {k: v for k, v in account_clusters(data_dir).items() if k in keys}
    prf = pairwise_prf(links, truth_people)
    out["customers"] = {
        "profiles": len(profiles),
        "records_s": round(watch.seconds, 1),
        "candidate_pairs": len(pairs),
        "block_s": round(block_s, 2),
        "score_s": round(score_s, 2),
        "direct": {k: round(v, 4) for k, v in prf.items()},
    }
    return out


def synthetic_growth(
    sizes: list[int], seed: int, brands: int = 40, dim: int = 384, k: int = 30
) -> list[dict[str, Any]]:
    """The brand-blocked neighbour search alone on clustered random unit vectors, past
    ``large``: exact vs HNSW (default threshold) seconds and distances per listing.

    ``brands`` blocks with sizes proportional to 1 / sqrt(rank) (the generated catalogue's
    largest brand is ~3.5x its median), 1 % brandless rows searched against everything, five
    listings per product (within-product cosine ~0.8). Recall of the HNSW neighbours at cosine
    >= 0.7 is measured against the exact ones where the exact search runs.
    """
    from extraction.resolve.ann import AnnParams, SearchStats, top_k

    rows_out = []
    for n in sizes:
        rng = np.random.default_rng(seed)
        weights = 1 / np.sqrt(np.arange(1, brands + 1))
        block_sizes = np.maximum((0.99 * n * weights / weights.sum()).astype(int), 2)
        n_open = max(n - int(block_sizes.sum()), 1)
        centres = rng.standard_normal((n // 5 + 1, dim)).astype(np.float32)
        vecs = centres[np.arange(n) // 5] + 0.5 * rng.standard_normal((n, dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        bounds = np.cumsum([0, *block_sizes.tolist()])
        open_rows = np.arange(bounds[-1], bounds[-1] + n_open)
        searches = [
            (np.arange(a, b), np.concatenate([np.arange(a, b), open_rows]))
            for a, b in itertools.pairwise(bounds)
        ]
        searches.append((open_rows, np.arange(bounds[-1] + n_open)))
        n = int(bounds[-1] + n_open)
        row: dict[str, Any] = {"listings": n, "largest_block": int(block_sizes.max()) + n_open}
        found: dict[str, dict[int, list[int]]] = {}
        for name, params in (("exact", None), ("ann", AnnParams())):
            stats = SearchStats()
            t0 = time.perf_counter()
            found[name] = {
                i: near
                for rows, cols in searches
                for i, near in top_k(vecs, rows, cols, k, params, stats)
            }
            row[name] = {
                "seconds": round(time.perf_counter() - t0, 2),
                "distances_per_listing": round((stats.exact_products + stats.ann_distances) / n, 1),
                "blocks_exact_ann": [stats.exact_blocks, stats.ann_blocks],
            }
        wanted = hit = 0
        for i, near in found["exact"].items():
            got = set(found["ann"][i])
            close = [j for j in near if float(vecs[i] @ vecs[j]) >= 0.7]
            wanted += len(close)
            hit += sum(j in got for j in close)
        row["recall_at_cos_0.7"] = round(hit / max(wanted, 1), 5)
        row["speedup"] = round(row["exact"]["seconds"] / row["ann"]["seconds"], 2)
        rows_out.append(row)
        print(f"synthetic n={n:,}: {row}", flush=True)
    return rows_out


def print_tables(res: dict[str, Any]) -> None:
    for row in res["extraction"]:
        print(
            f"\ntext extraction, scale={row['scale']} ({row['baseline']['documents']:,} documents)"
        )
        print(
            f"{'path':34} {'seconds':>8} {'docs/s':>8} {'CPU s':>7} {'docs/CPU s':>10} "
            f"{'attr F1':>8} {'intent':>7} {'sentim.':>7} {'asp.pol':>7}"
        )
        labels = {
            "baseline": f"current ({row['baseline_ref']})",
            "new": "batched (this tree, default)",
            "int8": "batched + int8 sentence encoder",
        }
        for name, label in labels.items():
            r = row[name]
            q = r["quality"]
            print(
                f"{label:34} {r['stage_s']:>8.1f} {r['docs_per_s']:>8,.0f} {r['cpu_s']:>7.1f} "
                f"{r['documents'] / r['cpu_s']:>10,.0f} "
                f"{q['attributes_f1']:>8.3f} {q['intent_acc']:>7.3f} {q['sentiment_acc']:>7.3f} "
                f"{q['aspect_polarity_acc']:>7.3f}"
            )
        print(
            f"speed-up x{row['speedup']} (int8: x{row['speedup_int8']}); "
            f"facts {row['facts']['baseline']:,} vs "
            f"{row['facts']['new']:,}, differing beyond confidence: "
            f"{row['facts_differing_beyond_confidence']}"
        )
    if res.get("encoder"):
        e = res["encoder"]
        print(f"\nMiniLM on {e['texts']} titles, one thread, best of {ENCODER_ROUNDS} rounds:")
        for name in ("float32@256", "float32", "int8"):
            r = e[name]
            print(f"  {name:12} batch {r['batch']:>3} {r['seconds']:>7.1f} s "
                  f"{r['texts_per_s']:>8.1f} texts/s  x{r['ratio']} vs float32@256")  # fmt: skip
        print(f"  float32 vs float32@256: max |diff| {e['float32_max_abs_diff_vs_256']:.1e}")
        print(f"  cosine int8 vs float32: mean {e['cosine_mean']}, min {e['cosine_min']}")
    if res["er"]:
        print("\nproduct ER, exact vs HNSW neighbour search (title vectors precomputed)")
        print(
            f"{'scale':7} {'listings':>8} {'search':6} {'dist/listing':>12} {'share n^2':>15} "
            f"{'blocks ex/ann':>13} {'kNN s':>6} {'ER s':>6} {'s/1k':>6} {'cand.':>9} "
            f"{'links':>7} {'F1 closure':>10} {'F1 direct':>9}"
        )
        for r in res["er"]:
            n = r["listings"]
            for name, p in r["products"].items():
                share = (p["exact_products"] + p["ann_distances"]) / n**2
                blocks = "/".join(map(str, p["blocks_exact_ann"]))
                print(
                    f"{r['scale']:7} {n:>8,} {name:6} {p['distances_per_listing']:>12,.0f} "
                    f"{share:>15.4f} {blocks:>13} {p['neighbours_s']:>6.2f} {p['er_s']:>6.1f} "
                    f"{1000 * p['er_s'] / n:>6.2f} {p['candidate_pairs']:>9,} {p['links']:>7,} "
                    f"{p['closure']['f1']:>10.4f} {p['direct']['f1']:>9.4f}"
                )
            if "exact" in r["products"]:
                same = ", ".join(
                    f"{name} {p['links_in_exact']:,} (kNN x{p['neighbour_speedup']})"
                    for name, p in r["products"].items()
                    if name != "exact"
                )
                print(f"        links also found by exact: {same}")
    if res.get("synthetic"):
        print("\nneighbour search alone, clustered random vectors (384-d, 40 brand blocks, k=30)")
        print(
            f"{'listings':>9} {'largest block':>13} {'exact s':>8} {'exact dist/n':>12} "
            f"{'HNSW s':>7} {'HNSW dist/n':>11} {'blocks ex/ann':>13} {'speed-up':>8} "
            f"{'recall':>7}"
        )
        for r in res["synthetic"]:
            e, a = r["exact"], r["ann"]
            print(
                f"{r['listings']:>9,} {r['largest_block']:>13,} {e['seconds']:>8.1f} "
                f"{e['distances_per_listing']:>12,.0f} {a['seconds']:>7.1f} "
                f"{a['distances_per_listing']:>11,.0f} "
                f"{'/'.join(map(str, a['blocks_exact_ann'])):>13} {r['speedup']:>8.2f} "
                f"{r['recall_at_cos_0.7']:>7.4f}"
            )
    if res["er"]:
        people = [r for r in res["er"] if "customers" in r]
        if people:
            print(f"\n{'scale':7} {'profiles':>8} {'pairs':>9} {'s':>6} {'F1':>6}")
        for r in people:
            c = r["customers"]
            print(
                f"{r['scale']:7} {c['profiles']:>8,} {c['candidate_pairs']:>9,} "
                f"{c['block_s'] + c['score_s']:>6.1f} {c['direct']['f1']:>6.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", nargs="*", default=["small", "medium"])
    parser.add_argument("--extract-scales", nargs="*", default=["small", "medium"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    parser.add_argument("--encoder-texts", type=int, default=600)
    parser.add_argument("--fresh-vectors", action="store_true")
    parser.add_argument(
        "--exact-scales",
        nargs="*",
        default=None,
        help="scales whose product ER also runs the exact neighbour search (default: all)",
    )
    parser.add_argument("--no-customers", action="store_true", help="product ER only")
    parser.add_argument(
        "--synthetic",
        nargs="*",
        type=int,
        default=[],
        help="listing counts for the neighbour search alone on random vectors (e.g. 18549 74196)",
    )
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {
        "command": " ".join(sys.argv),
        "seed": args.seed,
        "load_before": os.getloadavg(),
    }
    res["extraction"] = [
        text_extraction(s, args.seed, args.baseline_ref) for s in args.extract_scales
    ]
    res["encoder"] = None
    if args.encoder_texts:
        small = ensure_marketplace(ROOT / "var" / "data", "small", args.seed)
        from extraction.nlp.run import load_inputs

        titles = sorted({t for _, t, _ in load_inputs(small)["products"]})[: args.encoder_texts]
        res["encoder"] = encoder_rates(titles)
    exact = set(args.scales if args.exact_scales is None else args.exact_scales)
    from extraction.nlp.threads import compute_threads

    with compute_threads(1):  # BLAS (exact search) on one thread, like faiss (HNSW)
        res["er"] = [
            entity_resolution(s, args.seed, args.fresh_vectors, s in exact, not args.no_customers)
            for s in args.scales
        ]
        res["synthetic"] = synthetic_growth(args.synthetic, args.seed)
    res["load_after"] = os.getloadavg()
    print_tables(res)
    name = "-".join([*args.scales, "x", *args.extract_scales])
    (OUT_DIR / f"extraction-{name}.json").write_text(json.dumps(res, indent=2, default=str))


if __name__ == "__main__":
    main()
