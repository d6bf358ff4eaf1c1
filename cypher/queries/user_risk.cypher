// Purpose: one account's risk at a glance: the stored model score, its orders and chargebacks, and
// how many other accounts share its cards, devices, emails, phones and addresses.
// Param: user string -- User key
// Example: :param user => 'webshop:WS-C000001'
// Returns: user, risk_score, risk_model, orders, chargebacks, shared_identifiers, linked_users, same_actor_links
MATCH (u:User {key: $user})
CALL (u) {
  OPTIONAL MATCH (u)-[:PLACED]->(o:Order)
  RETURN count(o) AS orders, count(CASE WHEN o.is_chargeback THEN 1 END) AS chargebacks
}
CALL (u) {
  OPTIONAL MATCH (u)-[:USED_CARD|USED_DEVICE|HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]->(i)<-[:USED_CARD|USED_DEVICE|HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]-(v:User)
  WHERE v <> u
  RETURN count(DISTINCT i) AS shared_identifiers, count(DISTINCT v) AS linked_users
}
CALL (u) {
  OPTIONAL MATCH (u)-[s:LIKELY_SAME_ACTOR]-(:User)
  RETURN count(s) AS same_actor_links
}
RETURN u.key AS user, u.risk_score AS risk_score, u.risk_model AS risk_model, orders, chargebacks,
       shared_identifiers, linked_users, same_actor_links
