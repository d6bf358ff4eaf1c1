// Purpose: the identifiers of a checkout (card, device, IP, shipping address) as of its time, for
// real-time risk: per identifier, the accounts and older orders on it, its velocity, the
// chargebacks already reported on it, and its most recent older orders (the GNN's neighbours).
// Param: card string = '' -- Card key (pseudonymous); '' when the checkout has none
// Param: device string = '' -- Device key
// Param: ip string = '' -- IP key
// Param: address string = '' -- shipping Address key
// Param: user string = '' -- the buyer's User key ('' or unknown for a new account)
// Param: order string = '' -- an order to leave out (re-scoring a stored order as of its time)
// Param: at datetime = '2100-01-01T00:00:00Z' -- the checkout's time: only older orders count
// Param: max_links int = 10 in 1..100 -- most recent older orders returned per identifier
// Example: :params {card: 'card:0123abcd', device: '', ip: '', address: '', user: 'webshop:WS-C000001', order: '', at: datetime('2100-01-01T00:00:00Z'), max_links: 10}
// Returns: kind, rel, node, country, users, user_keys, has_user, orders_24h, orders_7d, known_bad, recent
CALL () {
  OPTIONAL MATCH (i:Card {key: $card}) RETURN 'Card' AS kind, 'PAID_WITH' AS rel, i
  UNION ALL
  OPTIONAL MATCH (i:Device {key: $device}) RETURN 'Device' AS kind, 'PLACED_FROM' AS rel, i
  UNION ALL
  OPTIONAL MATCH (i:IP {key: $ip}) RETURN 'IP' AS kind, 'FROM_IP' AS rel, i
  UNION ALL
  OPTIONAL MATCH (i:Address {key: $address}) RETURN 'Address' AS kind, 'SHIPPED_TO' AS rel, i
}
WITH kind, rel, i WHERE i IS NOT NULL
CALL (i, rel) {
  MATCH (i)<-[r]-(o:Order)
  WHERE type(r) = rel AND o.created_at < $at AND o.key <> $order
  OPTIONAL MATCH (o)<-[:PLACED]-(v:User)
  WITH o, v ORDER BY o.created_at DESC, o.key DESC
  RETURN count(DISTINCT v) AS users, collect(DISTINCT v.key)[..1000] AS user_keys,
         $user IN collect(v.key) AS has_user,
         count(CASE WHEN o.created_at > $at - duration({days: 1}) THEN 1 END) AS orders_24h,
         count(CASE WHEN o.created_at > $at - duration({days: 7}) THEN 1 END) AS orders_7d,
         count(CASE WHEN o.is_chargeback AND o.chargeback_at < $at THEN 1 END) AS known_bad,
         collect(o.key)[..toInteger($max_links)] AS recent
}
RETURN kind, rel, i.key AS node, i.country AS country, users, user_keys, has_user, orders_24h, orders_7d, known_bad, recent
