// Purpose: draw one ring in Neo4j Browser: every account that uses the identifier, the other
// identifiers those accounts use, and their orders (returns paths, so Browser shows a graph).
// Param: identifier string -- key of a Card, Device, IP, Email, Phone or Address node (from shared_identifier_rings)
// Param: limit int = 300 in 1..1000 -- paths returned
// Example: :params {identifier: 'card:4cc870397f0cbac614f9c70ab7b4b1ec', limit: 300}
// Returns: path
MATCH (i {key: $identifier})<-[:USED_CARD|USED_DEVICE|USED_IP|HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]-(u:User)
CALL (i, u) {
  MATCH path = (i)<--(u)
  RETURN path
  UNION
  MATCH path = (i)<--(u)-[:USED_CARD|USED_DEVICE|HAS_EMAIL|HAS_PHONE]->(other)
  WHERE other <> i
  RETURN path
  UNION
  MATCH path = (i)<--(u)-[:PLACED]->(:Order)
  RETURN path
}
RETURN path
LIMIT toInteger($limit)
