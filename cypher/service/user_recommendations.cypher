// Purpose: a user's stored top-K recommendations (written back by `cartograph score`), excluding
// products the user already bought, each with its strongest supporting path as the reason.
// Param: user string -- User key
// Param: k int = 10 in 1..1000 -- how many products
// Example: :params {user: 'webshop:WS-C000001', k: 10}
// Returns: product, title, score, rank, model, reason, via, support
MATCH (u:User {key: $user})-[rec:RECOMMENDED]->(p:Product)
WHERE NOT EXISTS { (u)-[:PLACED]->(:Order)-[:CONTAINS]->(p) }
WITH u, rec, p
ORDER BY rec.rank, rec.score DESC, p.key
LIMIT toInteger($k)
OPTIONAL CALL (u, p) {
  CALL (u, p) {
    MATCH (u)-[:PLACED]->(:Order)-[:CONTAINS]->(q:Product)-[:COMPATIBLE_WITH]-(p)
    RETURN 1 AS priority, 'compatible_with' AS reason, q.key AS via, count(*) AS support
    UNION ALL
    MATCH (u)-[:PLACED]->(:Order)-[:CONTAINS]->(q:Product)<-[:CONTAINS]-(:Order)<-[:PLACED]-(v:User)
    WHERE v <> u AND EXISTS { (v)-[:PLACED]->(:Order)-[:CONTAINS]->(p) }
    RETURN 2 AS priority, 'co_purchased' AS reason, q.key AS via, count(DISTINCT v) AS support
    UNION ALL
    MATCH (u)-[:PLACED]->(:Order)-[:CONTAINS]->(q:Product)-[:MADE_BY]->(b:Brand)<-[:MADE_BY]-(p)
    RETURN 3 AS priority, 'same_brand' AS reason, b.name AS via, count(DISTINCT q) AS support
    UNION ALL
    MATCH (u)-[:PLACED]->(:Order)-[:CONTAINS]->(q:Product)-[:IN_CATEGORY]->(c:Category)<-[:IN_CATEGORY]-(p)
    RETURN 4 AS priority, 'same_category' AS reason, c.name AS via, count(DISTINCT q) AS support
  }
  RETURN reason, via, support
  ORDER BY priority, support DESC, via
  LIMIT 1
}
RETURN p.key AS product, p.title AS title, rec.score AS score, rec.rank AS rank, rec.model AS model,
       reason, via, support
ORDER BY rank, score DESC, product
