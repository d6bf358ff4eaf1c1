// Purpose: the orders of a ring: every order placed by an account that uses the identifier, newest
// first, with its status, chargeback flag and stored risk score.
// Param: identifier string -- key of a Card, Device, IP, Email, Phone or Address node (from shared_identifier_rings)
// Param: limit int = 200 in 1..1000 -- rows returned
// Example: :params {identifier: 'device:11250497ec303590174301e4636cc5cf', limit: 200}
// Returns: order, user, created_at, total, currency, status, is_chargeback, risk_score, paid_with_identifier
MATCH (i {key: $identifier})<-[:USED_CARD|USED_DEVICE|USED_IP|HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]-(u:User)
MATCH (u)-[:PLACED]->(o:Order)
RETURN o.key AS order, u.key AS user, o.created_at AS created_at, o.total AS total,
       o.total_currency AS currency, o.status AS status, coalesce(o.is_chargeback, false) AS is_chargeback,
       o.risk_score AS risk_score,
       EXISTS { (o)-[:PAID_WITH|PLACED_FROM|FROM_IP|SHIPPED_TO]->(i) } AS paid_with_identifier
ORDER BY created_at DESC, order
LIMIT toInteger($limit)
