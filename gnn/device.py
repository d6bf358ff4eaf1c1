"""Where tensors live and how they are multiplied: CUDA when present, CPU otherwise.

Recommendation training is small enough for a CPU, so the same code must run there unchanged;
on a GPU it should use bfloat16 autocast, which needs no loss scaler (unlike float16) and keeps
the BPR loss finite on the large dot products of untrained embeddings.
"""

from __future__ import annotations

import os
import resource
from contextlib import AbstractContextManager, nullcontext

import torch


def pick_device(prefer: str | None = None) -> torch.device:
    """``prefer`` if given (``"cpu"``, ``"cuda"``, ``"cuda:1"``), else CUDA when available."""
    if prefer:
        return torch.device(prefer)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def autocast(device: torch.device | str, enabled: bool = True) -> AbstractContextManager[object]:
    """Mixed precision on CUDA (bfloat16), a no-op on CPU so CPU results stay exact and
    deterministic. Use around forward passes and the loss, never around ``optimizer.step``."""
    if enabled and torch.device(device).type == "cuda":
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return nullcontext()


def seed_everything(seed: int) -> torch.Generator:
    """Seed torch's global generators (CPU and CUDA) and return a private CPU generator.

    Negative sampling draws from the returned generator, so adding a model to a run does not
    shift the random stream of the others."""
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        # cuBLAS needs a fixed workspace to be deterministic; ops without a deterministic
        # CUDA kernel warn instead of failing (their noise is float-level).
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.cuda.manual_seed_all(seed)
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        # On CPU the default scatter/index_add kernels sum in thread order: float noise that
        # early stopping can amplify into a different epoch. The deterministic ones cost little.
        torch.use_deterministic_algorithms(True)
    return torch.Generator().manual_seed(seed)


def reset_peak_memory(device: torch.device) -> None:
    """Start a new peak for ``peak_memory`` (CUDA only: a process RSS peak cannot be reset)."""
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory(device: torch.device) -> dict[str, float]:
    """Peak memory for the report: the process's resident high-water mark so far (CPU: the
    process-wide peak, so it never falls from one model to the next) and, on CUDA, this model's
    peak allocated GPU memory."""
    out = {"peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    if device.type == "cuda":
        out["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated(device) / 2**20, 1)
    return out
