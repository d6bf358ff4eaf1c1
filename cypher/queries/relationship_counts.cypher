// Purpose: how many relationships of each type the graph holds.
// Parameters: none.
// Returns: type, relationships
CALL db.relationshipTypes() YIELD relationshipType AS type
CALL (type) {
  MATCH ()-[r:$(type)]->()
  RETURN count(r) AS relationships
}
WITH type, relationships WHERE relationships > 0
RETURN type, relationships
ORDER BY type
