// Purpose: a stored order as the checkout it was (buyer, products, card, device, IP, address,
// time, total, platform, channel): re-scores it online as of its own time, to measure how online
// scores agree with batch ones.
// Param: order string -- Order key
// Example: :params {order: 'webshop:WS-O000001'}
// Returns: order, user, products, card, device, ip, address, country, at, total, platform, channel
MATCH (o:Order {key: $order})
OPTIONAL MATCH (o)<-[:PLACED]-(u:User)
OPTIONAL MATCH (o)-[:PAID_WITH]->(c:Card)
OPTIONAL MATCH (o)-[:PLACED_FROM]->(d:Device)
OPTIONAL MATCH (o)-[:FROM_IP]->(ip:IP)
OPTIONAL MATCH (o)-[:SHIPPED_TO]->(a:Address)
CALL (o) {
  OPTIONAL MATCH (o)-[:CONTAINS]->(p:Product)
  RETURN collect(DISTINCT p.key) AS products
}
RETURN o.key AS order, u.key AS user, products, c.key AS card, d.key AS device, ip.key AS ip,
       a.key AS address, a.country AS country, toString(o.created_at) AS at, o.total AS total,
       o.platform AS platform, o.channel AS channel
LIMIT 1
