// Purpose: every product's title, read once when a recommendation model is loaded so that
// serving a recommendation needs no round trip to Neo4j.
// Param: limit int = 1000000 in 1..10000000 -- products returned
// Example: :params {limit: 1000000}
// Returns: product, title
MATCH (p:Product)
RETURN p.key AS product, p.title AS title
LIMIT toInteger($limit)
