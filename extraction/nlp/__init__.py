"""Text → facts: spaCy rule components built from the catalogue's own vocabulary, and transformer
sentence embeddings for what rules cannot do (matching, intent, sentiment)."""
