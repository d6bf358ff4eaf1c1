"""Extraction quality against the generator's truth files, split by phrasing pool.

Pure functions: predictions in, numbers out, so the same code scores facts straight from the
extractor or read back from Neo4j. Every score comes as
``{"dev": ..., "heldout": ..., "all": ...}``.
A record counts as ``heldout`` when any of its texts came from the held-out phrasing pool (a
marketplace listing has a title pool and a description pool), so ``dev`` holds only records the
extractor's author could have looked at; ``heldout`` is the honest number.
Keys in predictions are raw record ids (``WS-P000001``, ``TCK-0000001``), not graph keys.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

POOLS = ("dev", "heldout", "all")
INTENTS = (
    "item_not_received", "refund_request", "wrong_item", "account_hacked", "change_address",
    "damaged_item", "other",
)  # fmt: skip
SENTIMENTS = ("positive", "neutral", "negative")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def _set_scores(
    pred: AbstractSet[tuple[str, ...]],
    truth: AbstractSet[tuple[str, ...]],
    pool: Mapping[str, str],
) -> dict[str, dict[str, float]]:
    """Micro P/R/F1 of tuples whose first element is a record id, per pool."""
    out = {}
    for name in POOLS:
        keep = (
            (lambda rid: rid in pool) if name == "all" else (lambda rid, n=name: pool.get(rid) == n)
        )
        p = {t for t in pred if keep(t[0]) or (name == "all" and t[0] not in pool)}
        t = {x for x in truth if keep(x[0])}
        out[name] = _prf(len(p & t), len(p - t), len(t - p))
    return out


def product_pools(truth_dir: Path) -> dict[str, str]:
    """Record id -> ``dev``/``heldout`` (heldout when the title or the description is)."""
    pools = {}
    with (truth_dir / "products.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            pools[row["listing_id"]] = row["title_pool"]
    desc = truth_dir / "descriptions.jsonl"
    if desc.exists():
        for row in _jsonl(desc):
            if row["template_pool"] == "heldout":
                pools[row["listing_id"]] = "heldout"
    return pools


def attribute_truth(truth_dir: Path) -> set[tuple[str, str, str]]:
    """(record id, attribute, value) for brand, category and every listed attribute."""
    out: set[tuple[str, str, str]] = set()
    with (truth_dir / "products.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rid = row["listing_id"]
            out.add((rid, "brand", row["brand"]))
            out.add((rid, "category", row["category"]))
            for name, value in json.loads(row["attributes"] or "{}").items():
                out.add((rid, name, str(value)))
    return out


def score_attributes(
    pred: set[tuple[str, str, str]], truth_dir: Path
) -> dict[str, dict[str, float]]:
    """Micro P/R/F1 over (record id, attribute, value), brand and category included. Truth lists
    every attribute of the product, said in the text or not, so recall has a ceiling below 1."""
    return _set_scores(set(pred), set(attribute_truth(truth_dir)), product_pools(truth_dir))


def score_attributes_by_name(
    pred: set[tuple[str, str, str]], truth_dir: Path, pool: str = "all"
) -> dict[str, dict[str, float]]:
    """The same per attribute name (one pool), to see which attribute loses what."""
    truth = attribute_truth(truth_dir)
    pools = product_pools(truth_dir)
    names = sorted({t[1] for t in truth} | {p[1] for p in pred})
    out = {}
    for name in names:
        p = {x for x in pred if x[1] == name}
        t = {x for x in truth if x[1] == name}
        out[name] = _set_scores(p, t, pools)[pool]
    return out


def score_stated_recall(
    pred: AbstractSet[tuple[str, str, str]], truth_dir: Path
) -> dict[str, dict[str, float]]:
    """Recall of the facts a marketplace description states (``truth/descriptions.jsonl``, with
    spans): how much of what the text says is found, free of the unstated-attribute ceiling.
    Only recall is reported (titles state more than descriptions, so precision against these
    facts would be meaningless)."""
    stated = {
        (row["listing_id"], f["attribute"], str(f["value"]))
        for row in _jsonl(truth_dir / "descriptions.jsonl")
        for f in row["facts"]
    }
    pools = {
        row["listing_id"]: row["template_pool"] for row in _jsonl(truth_dir / "descriptions.jsonl")
    }
    out = {}
    for name in POOLS:
        t = {x for x in stated if name == "all" or pools.get(x[0]) == name}
        hit = len(t & set(pred))
        out[name] = {"recall": hit / len(t) if t else 0.0, "tp": hit, "fn": len(t) - hit}
    return out


def _tickets(truth_dir: Path) -> list[dict[str, Any]]:
    return _jsonl(truth_dir / "tickets.jsonl")


def score_order_refs(pred: set[tuple[str, str]], truth_dir: Path) -> dict[str, dict[str, float]]:
    """Micro P/R/F1 over (ticket id, order id as in the order tables)."""
    rows = _tickets(truth_dir)
    pools = {r["ticket_id"]: r["template_pool"] for r in rows}
    truth = {(r["ticket_id"], r["referenced_order_id"]) for r in rows if r["referenced_order_id"]}
    return _set_scores(set(pred), truth, pools)


def _label_scores(
    pred: Mapping[str, str],
    gold: Mapping[str, str],
    pools: Mapping[str, str],
    labels: Iterable[str],
) -> dict[str, dict[str, float]]:
    """Accuracy and macro F1 per pool; a record without a prediction counts as wrong."""
    labels = list(labels)
    out = {}
    for name in POOLS:
        ids = [k for k in gold if name == "all" or pools.get(k) == name]
        correct = sum(pred.get(k) == gold[k] for k in ids)
        f1s = []
        for lab in labels:
            tp = sum(pred.get(k) == lab and gold[k] == lab for k in ids)
            fp = sum(pred.get(k) == lab and gold[k] != lab for k in ids)
            fn = sum(pred.get(k) != lab and gold[k] == lab for k in ids)
            if tp + fp + fn:
                f1s.append(_prf(tp, fp, fn)["f1"])
        out[name] = {
            "accuracy": correct / len(ids) if ids else 0.0,
            "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
            "n": len(ids),
            "predicted": sum(k in pred for k in ids),
        }
    return out


def score_intent(pred: Mapping[str, str], truth_dir: Path) -> dict[str, dict[str, float]]:
    """Ticket intent: accuracy and macro F1 over the seven intents."""
    rows = _tickets(truth_dir)
    gold = {r["ticket_id"]: r["intent"] for r in rows}
    pools = {r["ticket_id"]: r["template_pool"] for r in rows}
    return _label_scores(pred, gold, pools, INTENTS)


def score_sentiment(pred: Mapping[str, str], truth_dir: Path) -> dict[str, dict[str, float]]:
    """Review sentiment: accuracy and macro F1 over positive/neutral/negative."""
    rows = _jsonl(truth_dir / "reviews.jsonl")
    gold = {r["review_id"]: r["sentiment"] for r in rows}
    pools = {r["review_id"]: r["template_pool"] for r in rows}
    return _label_scores(pred, gold, pools, SENTIMENTS)


def score_aspects(pred: set[tuple[str, str]], truth_dir: Path) -> dict[str, dict[str, float]]:
    """Micro P/R/F1 over (review id, aspect name)."""
    rows = _jsonl(truth_dir / "reviews.jsonl")
    pools = {r["review_id"]: r["template_pool"] for r in rows}
    truth = {(r["review_id"], a) for r in rows for a in r["aspects"]}
    return _set_scores(set(pred), truth, pools)


def score_mentions(pred: set[tuple[str, str]], truth_dir: Path) -> dict[str, dict[str, float]]:
    """Micro P/R/F1 over (review id, canonical product) for products named in review text.

    Predictions name listings (raw record ids); they are mapped to canonical products through
    ``truth/products.csv``, and truth is limited to canonical products that are listed at all."""
    listing_cp = _listing_canonical(truth_dir)
    listed = set(listing_cp.values())
    rows = _jsonl(truth_dir / "reviews.jsonl")
    pools = {r["review_id"]: r["template_pool"] for r in rows}
    truth = {
        (r["review_id"], cp) for r in rows for cp in r["mentioned_product_ids"] if cp in listed
    }
    mapped = {(rid, listing_cp.get(target, target)) for rid, target in pred}
    return _set_scores(mapped, truth, pools)


def _listing_canonical(truth_dir: Path) -> dict[str, str]:
    with (truth_dir / "products.csv").open(encoding="utf-8", newline="") as fh:
        return {row["listing_id"]: row["canonical_product_id"] for row in csv.DictReader(fh)}


def score_compatibility(pred: set[tuple[str, str]], truth_dir: Path) -> dict[str, dict[str, float]]:
    """Micro P/R/F1 over (product record, canonical product it fits); predicted targets are
    listings mapped to canonical products, truth is limited to products that are listed."""
    listing_cp = _listing_canonical(truth_dir)
    listed = set(listing_cp.values())
    truth = set()
    with (truth_dir / "products.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for cp in json.loads(row["compatible_with"] or "[]"):
                if cp in listed:
                    truth.add((row["listing_id"], cp))
    mapped = {(rid, listing_cp.get(target, target)) for rid, target in pred}
    return _set_scores(mapped, truth, product_pools(truth_dir))


def pools_summary(scores: Mapping[str, Mapping[str, float]], metric: str) -> dict[str, float]:
    """``{"dev": x, "heldout": y, "all": z}`` of one metric, for tables."""
    return {name: float(scores[name][metric]) for name in POOLS if name in scores}


def group_facts(facts: Iterable[Any]) -> dict[str, Any]:
    """Prediction sets for the scorers from ``Fact`` objects (anything with the same fields)."""
    attrs: set[tuple[str, str, str]] = set()
    refs: set[tuple[str, str]] = set()
    intent: dict[str, str] = {}
    sentiment: dict[str, str] = {}
    aspects: set[tuple[str, str]] = set()
    mentions: set[tuple[str, str]] = set()
    compatible: set[tuple[str, str]] = set()
    for f in facts:
        if f.kind in ("brand", "category", "attribute"):
            attrs.add((f.source_key, f.name if f.kind == "attribute" else f.kind, f.value))
        elif f.kind == "order_ref":
            refs.add((f.source_key, f.value))
        elif f.kind == "intent":
            intent[f.source_key] = f.name
        elif f.kind == "sentiment":
            sentiment[f.source_key] = f.name
        elif f.kind == "aspect":
            aspects.add((f.source_key, f.name))
        elif f.kind == "mentions":
            mentions.add((f.source_key, f.value))
        elif f.kind == "compatible_with":
            compatible.add((f.source_key, f.value))
    grouped: dict[str, Any] = defaultdict(dict)
    grouped.update(
        attributes=attrs,
        order_refs=refs,
        intent=intent,
        sentiment=sentiment,
        aspects=aspects,
        mentions=mentions,
        compatible_with=compatible,
    )
    return dict(grouped)
