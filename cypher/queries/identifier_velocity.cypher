// Purpose: velocity of one card, device or IP: for each order made with it, how many orders and
// distinct accounts used it in the $hours before (bursts are a classic card-testing signal).
// Param: identifier string -- key of a Card, Device or IP node
// Param: hours int = 24 in 1..8760 -- length of the look-back window
// Param: limit int = 200 in 1..1000 -- rows returned
// Example: :params {identifier: 'card:4cc870397f0cbac614f9c70ab7b4b1ec', hours: 24, limit: 200}
// Returns: order, created_at, orders_in_window, users_in_window
MATCH (i {key: $identifier})<-[:PAID_WITH|PLACED_FROM|FROM_IP]-(o:Order)
WITH i, o
CALL (i, o) {
  MATCH (i)<-[:PAID_WITH|PLACED_FROM|FROM_IP]-(prev:Order)<-[:PLACED]-(u:User)
  WHERE o.created_at - duration({hours: $hours}) <= prev.created_at <= o.created_at
  RETURN count(DISTINCT prev) AS orders_in_window, count(DISTINCT u) AS users_in_window
}
RETURN o.key AS order, o.created_at AS created_at, orders_in_window, users_in_window
ORDER BY created_at DESC, order
LIMIT toInteger($limit)
