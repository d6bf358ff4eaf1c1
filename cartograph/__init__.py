"""Cartograph: the composition root (settings, errors, pipeline, CLI) over the layered packages."""

import os

# See gnn/__init__.py: OpenMP threads sleep, not spin, on a shared machine (set before torch or
# LightGBM load; a user's own setting wins).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
