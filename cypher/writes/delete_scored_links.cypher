// Remove one batch of a previous scoring run's links, so a re-score replaces them.
// Identifier slots are filled by graph.scores after validation; returns how many went.
MATCH (:`{start_label}`)-[r:`{type}`]->(:`{end_label}`)
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
