"""Benchmarks (see BENCHMARKS.md)."""

import os

# As gnn/__init__.py: OpenMP threads sleep, not spin, on a shared machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
