// Purpose: the evidence for an account's own risk (api/user_risk.py): its latest orders with their
// stored risk scores and chargebacks, and the accounts that share a card, device, e-mail, phone or
// address with it, with their orders, chargebacks and any LIKELY_SAME_ACTOR score for the pair.
// Param: user string -- User key
// Example: :param user => 'webshop:WS-C000001'
// Returns: orders, linked
MATCH (u:User {key: $user})
CALL (u) {
  OPTIONAL MATCH (u)-[:PLACED]->(o:Order)
  WITH o ORDER BY o.created_at DESC LIMIT 200
  RETURN collect(CASE WHEN o IS NOT NULL
    THEN {key: o.key, risk: o.risk_score, chargeback: coalesce(o.is_chargeback, false)} END) AS orders
}
CALL (u) {
  OPTIONAL MATCH (u)-[r:USED_CARD|USED_DEVICE|HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]->(i)
                 <-[:USED_CARD|USED_DEVICE|HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]-(v:User)
  WHERE v <> u
  WITH v, head(collect([type(r), labels(i)[0], i.key])) AS via
  WHERE v IS NOT NULL
  WITH v, via ORDER BY v.key LIMIT 50
  OPTIONAL MATCH (u)-[s:LIKELY_SAME_ACTOR]-(v)
  WITH v, via, max(s.score) AS link
  OPTIONAL MATCH (v)-[:PLACED]->(vo:Order)
  WITH v, via, link, count(CASE WHEN vo.is_chargeback THEN 1 END) AS chargebacks,
       collect({key: vo.key, risk: vo.risk_score})[..50] AS orders
  RETURN collect({user: v.key, relation: via[0], kind: via[1], node: via[2], link: link,
                  chargebacks: chargebacks, orders: orders}) AS linked
}
RETURN orders, linked
