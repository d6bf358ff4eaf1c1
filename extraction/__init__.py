"""From raw exports and free text to graph records: sources, cleaning, pseudonymising, entity
resolution and NLP extraction. spaCy and transformers are imported only here."""
