// Purpose: why a product was recommended to a user: the stored RECOMMENDED score and rank, and the
// paths that support it (bought a product of the same category or brand, a compatible product, or
// one that other buyers bought together with it). No rows until recommendations are written back.
// Param: user string -- User key
// Param: product string = '' -- Product key; '' explains every recommendation of the user
// Param: limit int = 50 in 1..1000 -- rows returned
// Example: :params {user: 'webshop:WS-C000001', product: '', limit: 50}
// Returns: product, title, rank, score, model, reason, via, support
MATCH (u:User {key: $user})-[rec:RECOMMENDED]->(p:Product)
WHERE $product = '' OR p.key = $product
CALL (u, p) {
  MATCH (u)-[:PLACED]->(:Order)-[:CONTAINS]->(q:Product)-[:IN_CATEGORY]->(c:Category)<-[:IN_CATEGORY]-(p)
  WHERE q <> p
  RETURN 'same_category' AS reason, c.name AS via, count(DISTINCT q) AS support
  UNION ALL
  MATCH (u)-[:PLACED]->(:Order)-[:CONTAINS]->(q:Product)-[:MADE_BY]->(b:Brand)<-[:MADE_BY]-(p)
  WHERE q <> p
  RETURN 'same_brand' AS reason, b.name AS via, count(DISTINCT q) AS support
  UNION ALL
  MATCH (u)-[:PLACED]->(:Order)-[:CONTAINS]->(q:Product)-[:COMPATIBLE_WITH]-(p)
  RETURN 'compatible_with' AS reason, q.key AS via, count(*) AS support
  UNION ALL
  MATCH (u)-[:PLACED]->(:Order)-[:CONTAINS]->(q:Product)<-[:CONTAINS]-(:Order)<-[:PLACED]-(v:User)
  WHERE v <> u AND EXISTS { (v)-[:PLACED]->(:Order)-[:CONTAINS]->(p) }
  RETURN 'co_purchased' AS reason, q.key AS via, count(DISTINCT v) AS support
}
RETURN p.key AS product, p.title AS title, rec.rank AS rank, rec.score AS score, rec.model AS model,
       reason, via, support
ORDER BY rank, product, support DESC, reason, via
LIMIT toInteger($limit)
