// Purpose: the evidence behind a user's risk: the user's cards, devices, emails, phones and addresses
// that other accounts share, with those accounts' chargebacks, most damning first.
// Param: user string -- User key
// Param: limit int = 5 in 1..100 -- rows returned
// Example: :params {user: 'webshop:WS-C000001', limit: 5}
// Returns: relation, kind, node, other_users, chargebacks
MATCH (u:User {key: $user})-[r:USED_CARD|USED_DEVICE|HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]->(i)
CALL (u, i) {
  OPTIONAL MATCH (i)<-[:USED_CARD|USED_DEVICE|HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]-(v:User) WHERE v <> u
  OPTIONAL MATCH (v)-[:PLACED]->(o:Order {is_chargeback: true})
  RETURN count(DISTINCT v) AS other_users, count(DISTINCT o) AS chargebacks
}
WITH r, i, other_users, chargebacks WHERE other_users > 0
RETURN type(r) AS relation, labels(i)[0] AS kind, i.key AS node, other_users, chargebacks
ORDER BY chargebacks DESC, other_users DESC, node
LIMIT toInteger($limit)
