"""Tasks: what to learn on a graph (``spec``), declared in YAML, and the runners that learn it.

* ``spec``: the ``TaskSpec`` models and ``load_task`` (torch-free apart from the trainer configs).
* ``link``: link prediction (``gnn.recommend``): split, models, export, the served refit.
* ``node``: node classification, generic (``gnn.classify``) and the marketplace fraud study.
* ``runner``: ``evaluate_task`` / ``train_task`` / ``score_task`` and the runner ``REGISTRY``.
"""

from gnn.tasks.spec import PRESETS, TaskSpec, load_task, preset_names

__all__ = ["PRESETS", "TaskSpec", "load_task", "preset_names"]
