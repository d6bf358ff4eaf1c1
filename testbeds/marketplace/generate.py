"""Entry point: build the world for (scale, seed), stream the exports and write the manifest.

Phases draw from independent random streams derived from the seed, so the same (scale, seed)
always gives byte-identical files and a change in one phase does not reshuffle the others.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from .behaviour import follow_up_orders, primary_orders
from .catalog import Catalog, build_catalog, category_shares
from .choices import tier_choices
from .config import DUPLICATE_RATE, END_TS, GENERATOR_VERSION, START_TS, ScaleConfig, scale_config
from .emit_orders import emit_orders, order_counts, write_fraud_accounts
from .emit_static import assign_ids, write_accounts, write_catalog
from .formats import iso_date
from .fraud import FraudContext
from .fraud_schemes import run_all
from .ids import OpaqueIds, streams
from .noise import Noise
from .orders_table import OrderTable, concat, sort_by_time
from .people import Population, make_population
from .taxonomy import BRANDS, CAT_INDEX
from .writers import Sink, sha256

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class GenerationSummary:
    """What a run produced: per-file row counts (header excluded) and where everything is."""

    scale: str
    seed: int
    out_dir: Path
    manifest_path: Path
    record_counts: Mapping[str, int]  # relative path -> rows, sorted by path
    paths: tuple[Path, ...]
    orders: Mapping[str, int]  # platform -> number of distinct orders
    elapsed_s: float  # wall time (not part of the manifest, which must be reproducible)

    def rows(self, rel: str) -> int:
        """Rows in one output file, by its path relative to ``out_dir``."""
        return self.record_counts[rel]


def _world(cfg: ScaleConfig, seed: int) -> tuple[Population, Catalog, OrderTable, FraudContext]:
    """Catalogue, persons, legitimate orders and the fraud plan, all in memory (columnar)."""
    gen, rnd = streams(seed, "catalog")
    catalog = build_catalog(cfg.n_products, cfg.n_sellers, gen, rnd)
    brand_cats = [tuple(CAT_INDEX[k] for k in cats) for _, cats in BRANDS]
    gen, rnd = streams(seed, "people")
    pop = make_population(cfg.n_persons, category_shares(), brand_cats, gen, rnd)
    gen, rnd = streams(seed, "behaviour")
    primary = primary_orders(cfg, pop, catalog, gen, rnd)
    legit = concat([primary, follow_up_orders(primary, pop, catalog, rnd)])
    gen, rnd = streams(seed, "fraud")
    ctx = FraudContext(pop, catalog, tier_choices(catalog), gen, rnd, camouflage=cfg.camouflage)
    run_all(ctx, cfg, legit)
    table = sort_by_time(concat([legit, ctx.plan.table()]))
    return pop, catalog, table, ctx


def _rows(path: Path) -> int:
    """Data rows of an output file, counted the way a reader would."""
    if path.suffix == ".parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    with path.open("rb") as f:
        lines = sum(1 for _ in f)
    return lines - 1 if path.suffix == ".csv" else lines


def _manifest(out_dir: Path, cfg: ScaleConfig, seed: int, counts: Mapping[str, int]) -> Path:
    files = [
        {
            "path": rel,
            "rows": counts[rel],
            "bytes": (out_dir / rel).stat().st_size,
            "sha256": sha256(out_dir / rel),
        }
        for rel in sorted(counts)
    ]
    manifest = {
        # The package's name before it moved to testbeds/; kept so that the same (scale, seed)
        # still gives a byte-identical manifest.json.
        "generator": "extraction.marketplace",
        "version": GENERATOR_VERSION,
        "scale": cfg.name,
        "seed": seed,
        **({"fraud": "camouflaged"} if cfg.camouflage else {}),
        "start": iso_date(START_TS),
        "end": iso_date(END_TS),
        "files": files,
    }
    path = out_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


FRAUD_KINDS = ("plain", "camouflaged")


def generate(scale: str, seed: int, out_dir: Path, fraud: str = "plain") -> GenerationSummary:
    """Generate the raw exports, the truth directory and ``manifest.json`` under ``out_dir``.

    ``scale`` is "small", "medium" or "large"; the same (scale, seed, fraud) gives byte-identical
    files. ``fraud="camouflaged"``: rings, stolen-card and promo crews that hide among benign
    customers (see ``fraud_schemes``), for studying heterophily on data the team controls.
    """
    if fraud not in FRAUD_KINDS:
        raise ValueError(f"fraud must be one of {FRAUD_KINDS}, not {fraud!r}")
    started = time.perf_counter()
    cfg = dataclasses.replace(scale_config(scale), camouflage=fraud == "camouflaged")
    out_dir = Path(out_dir)
    pop, catalog, table, ctx = _world(cfg, seed)
    _, rnd = streams(seed, "ids")
    assign_ids(pop, catalog, seed, rnd)
    sink = Sink(out_dir, seed, DUPLICATE_RATE)
    _, rnd = streams(seed, "emit:catalog")
    _, nrnd = streams(seed, "noise:catalog")
    write_catalog(sink, catalog, OpaqueIds(seed, "MP-S", 8), rnd, Noise(nrnd))
    _, rnd = streams(seed, "emit:accounts")
    _, nrnd = streams(seed, "noise:accounts")
    write_accounts(sink, pop, rnd, Noise(nrnd))
    write_fraud_accounts(sink, pop, ctx.plan)
    emit_orders(sink, table, pop, catalog, ctx.plan, seed, cfg.chunk_orders)
    counts = sink.close_all()
    for rel, n in counts.items():  # cheap self-check: what we counted is what a reader sees
        if n != _rows(out_dir / rel):
            raise RuntimeError(f"row count mismatch for {rel}")
    manifest = _manifest(out_dir, cfg, seed, counts)
    return GenerationSummary(
        cfg.name,
        seed,
        out_dir,
        manifest,
        counts,
        tuple(out_dir / rel for rel in counts),
        order_counts(table, pop),
        time.perf_counter() - started,
    )
