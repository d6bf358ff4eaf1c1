"""Deterministic built-in marketplace data: raw multi-platform exports plus separate truth.

``generate(scale, seed, out_dir)`` writes what a multi-platform e-commerce company would export
(web shop CSVs, marketplace JSONL, the app's Parquet event log) under ``out_dir/raw`` and the
ground truth under ``out_dir/truth``. Ingestion must only ever read ``raw``; evaluation reads
``truth``. See docs/marketplace-data.md for every file and column.
"""

from .config import LARGE, MEDIUM, SCALES, SMALL, ScaleConfig
from .generate import MANIFEST, GenerationSummary, generate

__all__ = [
    "LARGE",
    "MANIFEST",
    "MEDIUM",
    "SCALES",
    "SMALL",
    "GenerationSummary",
    "ScaleConfig",
    "generate",
]
