// Purpose: an order's neighbourhood, the evidence behind its risk: the buyer and every card, device,
// IP and address of the checkout, with how many other accounts and chargeback orders share each one.
// Param: order string -- Order key
// Example: :param order => 'webshop:WS-O003964'
// Returns: relation, kind, node, other_users, other_orders, chargebacks
MATCH (o:Order {key: $order})
CALL (o) {
  MATCH (o)<-[:PLACED]-(u:User)
  OPTIONAL MATCH (u)-[:PLACED]->(other:Order) WHERE other <> o
  RETURN 'PLACED' AS relation, 'User' AS kind, u.key AS node, 0 AS other_users,
         count(other) AS other_orders, count(CASE WHEN other.is_chargeback THEN 1 END) AS chargebacks
  UNION ALL
  MATCH (o)-[r:PAID_WITH|PLACED_FROM|FROM_IP|SHIPPED_TO]->(i)
  OPTIONAL MATCH (i)<-[:PAID_WITH|PLACED_FROM|FROM_IP|SHIPPED_TO]-(other:Order) WHERE other <> o
  OPTIONAL MATCH (other)<-[:PLACED]-(ou:User) WHERE NOT (ou)-[:PLACED]->(o)
  RETURN type(r) AS relation, labels(i)[0] AS kind, i.key AS node, count(DISTINCT ou) AS other_users,
         count(DISTINCT other) AS other_orders,
         count(DISTINCT CASE WHEN other.is_chargeback THEN other END) AS chargebacks
}
RETURN relation, kind, node, other_users, other_orders, chargebacks
ORDER BY chargebacks DESC, other_users DESC, relation
