"""Graph neural networks over the exported graph. ``torch_geometric`` is imported only here."""
