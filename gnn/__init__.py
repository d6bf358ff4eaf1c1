"""Graph neural networks over the exported graph. ``torch_geometric`` is imported only here.

``torch_geometric`` scripts a few helpers with ``torch.jit.script`` at import time, which torch
2.10+ answers with a ``FutureWarning`` on every ``cartograph`` command. It is not ours to fix
and says nothing to a user, so it is filtered once here, before any submodule imports torch.
"""

import os

# OpenMP threads (torch, LightGBM) sleep instead of spin-waiting between parallel regions. On a
# machine shared with Neo4j and other jobs, spinning made two-thread training 9-16x slower than
# one thread (BENCHMARKS.md, "Node-classification zoo"); passive waiting costs little when the
# machine is idle. Must be set before the OpenMP runtime loads, hence at package import; a
# user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import warnings

warnings.filterwarnings(
    "ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning
)
