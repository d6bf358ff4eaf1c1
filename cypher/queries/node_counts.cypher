// Purpose: how many nodes of each label the graph holds (a first look at a fresh graph).
// Parameters: none.
// Returns: label, nodes
CALL db.labels() YIELD label
CALL (label) {
  MATCH (n:$(label))
  RETURN count(n) AS nodes
}
WITH label, nodes WHERE nodes > 0
RETURN label, nodes
ORDER BY label
