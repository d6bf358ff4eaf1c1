// Purpose: rings of accounts that share a payment card, device, IP, email, phone or address: each
// identifier used by at least $min_users users, most shared first (the starting point of a fraud review).
// Param: min_users int = 3 in 2..1000 -- how many distinct users must share the identifier
// Param: kind string = '' -- only this identifier label (Card, Device, IP, Email, Phone, Address); '' for all
// Param: limit int = 25 in 1..1000 -- rows returned
// Example: :params {min_users: 3, kind: 'Card', limit: 25}
// Returns: identifier, kind, users, user_keys, orders, chargebacks
MATCH (u:User)-[:USED_CARD|USED_DEVICE|USED_IP|HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]->(i)
WHERE $kind = '' OR $kind IN labels(i)
WITH i, collect(DISTINCT u) AS members
WHERE size(members) >= $min_users
CALL (members) {
  UNWIND members AS m
  OPTIONAL MATCH (m)-[:PLACED]->(o:Order)
  RETURN count(o) AS orders, count(CASE WHEN o.is_chargeback THEN 1 END) AS chargebacks
}
RETURN i.key AS identifier, labels(i)[0] AS kind, size(members) AS users,
       [m IN members | m.key][..20] AS user_keys, orders, chargebacks
ORDER BY users DESC, chargebacks DESC, identifier
LIMIT toInteger($limit)
