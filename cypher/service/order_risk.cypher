// Purpose: an order's stored risk score and model with its buyer and outcome (the evidence comes
// from queries/order_neighbourhood).
// Param: order string -- Order key
// Example: :param order => 'webshop:WS-O003964'
// Returns: order, user, risk_score, risk_model, is_chargeback, created_at
MATCH (o:Order {key: $order})
OPTIONAL MATCH (o)<-[:PLACED]-(u:User)
RETURN o.key AS order, u.key AS user, o.risk_score AS risk_score, o.risk_model AS risk_model,
       coalesce(o.is_chargeback, false) AS is_chargeback, o.created_at AS created_at
LIMIT 1
