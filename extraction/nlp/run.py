"""Run every extractor over a data directory's raw files (``raw/`` only; ``truth/`` is never read).

``extract_all`` is what the pipeline calls; ``extract_all_timed`` also returns seconds per stage
for the benchmark. ``python -m extraction.nlp.run DATA_DIR`` prints the timings and, when the
directory has a ``truth/`` folder, the scores per phrasing pool as JSON.
"""

from __future__ import annotations

import csv
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from extraction.nlp.facts import Fact
from extraction.nlp.linking import compatibility_links, propagate_model_attributes
from extraction.nlp.mentions import ProductIndex
from extraction.nlp.products import ProductExtractor, ProductText
from extraction.nlp.reviews import ReviewExtractor, ReviewText
from extraction.nlp.textvec import Encoder
from extraction.nlp.threads import DEFAULT_THREADS, compute_threads
from extraction.nlp.tickets import TicketExtractor, TicketText

log = logging.getLogger(__name__)
T = TypeVar("T")


def _csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        yield from csv.DictReader(fh)


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    log.warning("skipping a line of %s that is not JSON", path)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _unique(rows: Iterator[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """First row per id (the raw exports repeat about 0.5 % of rows)."""
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        rid = _text(row.get(key))
        if rid and rid not in seen:
            seen[rid] = row
    return list(seen.values())


def _rating(value: Any) -> int | None:
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return None


def product_texts(raw: Path) -> tuple[list[dict[str, Any]], list[ProductText]]:
    """Web-shop rows (for the vocabulary) and every product text, web shop first."""
    shop = _unique(_csv(raw / "webshop" / "products.csv"), "product_id")
    for row in shop:
        row["product_id"] = _text(row["product_id"])
    listings = _unique(_jsonl(raw / "marketplace" / "listings.jsonl"), "listing_id")
    texts: list[ProductText] = [(r["product_id"], _text(r.get("title")), None) for r in shop]
    texts += [
        (_text(r["listing_id"]), _text(r.get("title")), _text(r.get("description")) or None)
        for r in listings
    ]
    return shop, texts


def load_inputs(data_dir: Path) -> dict[str, Any]:
    """The raw inputs of every extractor, de-duplicated by record id."""
    raw = data_dir / "raw"
    shop, products = product_texts(raw)
    reviews: list[ReviewText] = [
        (
            _text(r["review_id"]),
            _rating(r.get("rating")),
            _text(r.get("title")),
            _text(r.get("text")),
        )
        for r in _unique(_csv(raw / "webshop" / "reviews.csv"), "review_id")
    ]
    tickets: list[TicketText] = [
        (
            _text(r["ticket_id"]),
            _text(r.get("source")) or None,
            _text(r.get("subject")),
            _text(r.get("body")),
        )
        for r in _unique(_jsonl(raw / "marketplace" / "tickets.jsonl"), "ticket_id")
    ]
    orders = {_text(r.get("order_id")) for r in _csv(raw / "webshop" / "orders.csv")}
    orders |= {_text(r.get("order_id")) for r in _jsonl(raw / "marketplace" / "orders.jsonl")}
    orders.discard("")
    listing_texts = [t for _, title, desc in products[len(shop) :] for t in (title, desc or "")]
    return {"shop": shop, "listing_texts": listing_texts, "products": products,
            "reviews": reviews, "tickets": tickets, "orders": orders}  # fmt: skip


def _timed(timings: dict[str, float], stage: str, fn: Callable[[], T]) -> T:
    t0 = time.perf_counter()
    out = fn()
    timings[stage] = round(time.perf_counter() - t0, 3)
    log.info("extraction stage %s: %.2f s", stage, timings[stage])
    return out


def extract_all_timed(
    data_dir: Path,
    encoder: Encoder | None = None,
    seed: int = 0,
    threads: int | None = DEFAULT_THREADS,
    quantize: bool = False,
) -> tuple[list[Fact], dict[str, float]]:
    """All facts from ``data_dir/raw`` and the seconds each stage took; the numeric libraries
    run on ``threads`` threads (see ``threads.py``; None leaves their defaults).

    ``quantize`` (without an ``encoder``) sends ticket and review sentences through MiniLM with
    int8 weights: ~1.9x the encoding rate and the scored tasks hold, but aspect polarity, which
    applies the review-level model to single sentences, loses accuracy (BENCHMARKS.md), so it
    is off by default.
    """
    with compute_threads(threads):
        return _extract_all_timed(data_dir, encoder, seed, quantize)


def _extract_all_timed(
    data_dir: Path, encoder: Encoder | None, seed: int, quantize: bool
) -> tuple[list[Fact], dict[str, float]]:
    timings: dict[str, float] = {}
    inp = _timed(timings, "read", lambda: load_inputs(data_dir))
    px = _timed(
        timings,
        "products_build",
        lambda: ProductExtractor.from_catalogue(inp["shop"], inp["listing_texts"]),
    )
    facts = _timed(timings, "products_extract", lambda: px.extract(inp["products"]))
    facts += _timed(timings, "products_propagate", lambda: propagate_model_attributes(facts))
    facts += _timed(timings, "products_compatibility", lambda: compatibility_links(facts))
    if encoder is None:
        from extraction.nlp.embed import shared_embedder

        encoder = _timed(timings, "encoder_load", lambda: shared_embedder(quantize=quantize))
    tx = TicketExtractor(inp["orders"], encoder=encoder, seed=seed)
    facts += _timed(timings, "tickets_order_refs", lambda: tx.order_refs(inp["tickets"]))
    facts += _timed(timings, "tickets_intent", lambda: tx.intents(inp["tickets"]))
    brands = {f.source_key: f.value for f in facts if f.kind == "brand"}
    index = ProductIndex(
        px.nlp, [(rid, brands.get(rid), f"{t} {d or ''}") for rid, t, d in inp["products"]]
    )
    rx = ReviewExtractor(index, encoder=encoder, seed=seed)
    facts += _timed(timings, "reviews_sentiment", lambda: rx.sentiment(inp["reviews"]))
    facts += _timed(timings, "reviews_mentions", lambda: rx.mentions(inp["reviews"]))
    timings["total"] = round(sum(timings.values()), 3)
    timings["documents"] = len(inp["products"]) + len(inp["reviews"]) + len(inp["tickets"])
    return facts, timings


def extract_all(data_dir: Path) -> list[Fact]:
    """All facts from the raw files under ``data_dir`` (stage timings go to the log)."""
    facts, timings = extract_all_timed(data_dir)
    log.info(
        "extraction: %d facts from %d documents in %.1f s",
        len(facts),
        timings["documents"],
        timings["total"],
    )
    return facts


def score_all(facts: list[Fact], truth_dir: Path) -> dict[str, Any]:
    """Every score in ``scoring`` for a set of facts."""
    from extraction.nlp import scoring

    g = scoring.group_facts(facts)
    return {
        "attributes": scoring.score_attributes(g["attributes"], truth_dir),
        "order_refs": scoring.score_order_refs(g["order_refs"], truth_dir),
        "intent": scoring.score_intent(g["intent"], truth_dir),
        "sentiment": scoring.score_sentiment(g["sentiment"], truth_dir),
        "aspects": scoring.score_aspects(g["aspects"], truth_dir),
        "mentions": scoring.score_mentions(g["mentions"], truth_dir),
        "compatibility": scoring.score_compatibility(g["compatible_with"], truth_dir),
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m extraction.nlp.run DATA_DIR``: timings (and scores when truth exists)."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m extraction.nlp.run DATA_DIR", file=sys.stderr)
        return 2
    data_dir = Path(args[0])
    facts, timings = extract_all_timed(data_dir)
    report: dict[str, Any] = {"facts": len(facts), "timings_s": timings}
    report["docs_per_s"] = round(timings["documents"] / max(timings["total"], 1e-9), 1)
    if (data_dir / "truth").is_dir():
        report["scores"] = score_all(facts, data_dir / "truth")
    print(json.dumps(report, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
