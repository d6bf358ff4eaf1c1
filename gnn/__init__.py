"""Graph neural networks over the exported graph. ``torch_geometric`` is imported only here.

``torch_geometric`` scripts a few helpers with ``torch.jit.script`` at import time, which torch
2.10+ answers with a ``FutureWarning`` on every ``cartograph`` command. It is not ours to fix
and says nothing to a user, so it is filtered once here, before any submodule imports torch.
"""

import warnings

warnings.filterwarnings(
    "ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning
)
