// Purpose: cards, devices and IPs with bursts: identifiers used for at least $min_orders orders
// within some window of $hours (velocity across the whole graph; drill down with identifier_velocity).
// Param: hours int = 24 in 1..8760 -- length of the window
// Param: min_orders int = 3 in 2..1000 -- orders inside one window that count as a burst
// Param: limit int = 25 in 1..1000 -- rows returned
// Example: :params {hours: 24, min_orders: 3, limit: 25}
// Returns: identifier, kind, max_orders_in_window, orders, users
MATCH (i)<-[:PAID_WITH|PLACED_FROM|FROM_IP]-(o:Order)
WITH i, o ORDER BY o.created_at
WITH i, collect(o.created_at) AS times
WHERE size(times) >= $min_orders
WITH i, times, reduce(best = 0, k IN range(0, size(times) - 1) |
       CASE WHEN size([t IN times[k..] WHERE t <= times[k] + duration({hours: $hours})]) > best
            THEN size([t IN times[k..] WHERE t <= times[k] + duration({hours: $hours})]) ELSE best END
     ) AS max_orders_in_window
WHERE max_orders_in_window >= $min_orders
CALL (i) {
  MATCH (i)<-[:PAID_WITH|PLACED_FROM|FROM_IP]-(:Order)<-[:PLACED]-(u:User)
  RETURN count(DISTINCT u) AS users
}
RETURN i.key AS identifier, labels(i)[0] AS kind, max_orders_in_window, size(times) AS orders, users
ORDER BY max_orders_in_window DESC, users DESC, identifier
LIMIT toInteger($limit)
