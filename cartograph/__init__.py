"""Cartograph: the composition root (settings, errors, pipeline, CLI) over the layered packages."""

__version__ = "0.1.0"
