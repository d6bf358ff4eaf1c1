// Purpose: accounts within $hops relationships of a chargeback order, through the user who placed it
// and the cards, devices, emails, phones and addresses it shares (IPs are left out: shared NATs make
// them weak evidence). The nearest chargeback and how many are in reach explain each row.
// Param: hops int = 3 in 1..4 -- path length in relationships (1: the buyer; 2: accounts on the same card/device; ...)
// Param: limit int = 100 in 1..1000 -- rows returned
// Example: :params {hops: 3, limit: 100}
// Returns: user, distance, nearest_chargeback, chargebacks_in_reach, risk_score
MATCH (o:Order {is_chargeback: true})
MATCH p = (o)-[:PLACED|PAID_WITH|PLACED_FROM|SHIPPED_TO|USED_CARD|USED_DEVICE|HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]-{1,4}(u:User)
WHERE length(p) <= $hops
WITH u, o, min(length(p)) AS d
ORDER BY d, o.key
WITH u, min(d) AS distance, collect(o.key)[0] AS nearest_chargeback, count(o) AS chargebacks_in_reach
RETURN u.key AS user, distance, nearest_chargeback, chargebacks_in_reach, u.risk_score AS risk_score
ORDER BY distance, chargebacks_in_reach DESC, user
LIMIT toInteger($limit)
