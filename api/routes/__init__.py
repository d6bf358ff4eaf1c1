"""One router per area: health, analyst queries, scoring, Neo4j Browser assets."""
