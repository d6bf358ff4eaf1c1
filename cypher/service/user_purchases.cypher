// Purpose: whether an account exists and the products it has bought: folds a user the
// recommendation model has not seen (signed up or bought since training) into its space.
// Param: user string -- User key
// Example: :params {user: 'webshop:WS-C000001'}
// Returns: found, products
OPTIONAL MATCH (u:User {key: $user})
CALL (u) {
  OPTIONAL MATCH (u)-[:PLACED]->(:Order)-[:CONTAINS]->(p:Product)
  RETURN collect(DISTINCT p.key) AS products
}
RETURN u IS NOT NULL AS found, products
