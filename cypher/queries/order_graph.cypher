// Purpose: draw an order's neighbourhood in Neo4j Browser: the buyer, the products, the card, device,
// IP and address of the checkout, and the other accounts that share them (paths, so Browser shows a graph).
// Param: order string -- Order key
// Param: limit int = 200 in 1..1000 -- paths returned
// Example: :params {order: 'webshop:WS-O003964', limit: 200}
// Returns: path
MATCH (o:Order {key: $order})
CALL (o) {
  MATCH path = (o)-[:CONTAINS|PAID_WITH|PLACED_FROM|FROM_IP|SHIPPED_TO]->()
  RETURN path
  UNION
  MATCH path = (o)<-[:PLACED]-(:User)
  RETURN path
  UNION
  MATCH path = (o)-[:PAID_WITH|PLACED_FROM|FROM_IP|SHIPPED_TO]->()<-[:USED_CARD|USED_DEVICE|USED_IP|HAS_ADDRESS]-(:User)
  RETURN path
}
RETURN path
LIMIT toInteger($limit)
