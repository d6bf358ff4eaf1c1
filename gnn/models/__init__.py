"""Recommendation models, one per file (PyG style)."""
