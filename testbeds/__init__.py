"""Test beds: data the project makes or ships to exercise the platform end to end.

The marketplace generator (``testbeds.marketplace``), the MovieLens-100k preparation
(``testbeds.movielens``) and the Browser-sized sample graph (``testbeds.sample``) stand in for a
user's own exports. They live apart from ``extraction`` because the platform's own layers
(``extraction``, ``graph``, ``gnn``, ``api``) must work on anyone's data: nothing there reads a
test bed, and only the composition root (CLI, pipeline), tests and benchmarks import one. The name
is not ``datasets`` so as not to shadow HuggingFace's package (docs/adr/0003-testbeds-package.md).
"""
