// Purpose: which model versions have written scores back into the graph (readiness and the
// version reported with every answer); a kind is absent until its scores exist.
// Parameters: none.
// Returns: kind, model
CALL () {
  MATCH ()-[r:RECOMMENDED]->() RETURN 'recommendation' AS kind, r.model AS model LIMIT 1
  UNION
  MATCH ()-[r:LIKELY_SAME_ACTOR]->() RETURN 'account_link' AS kind, r.model AS model LIMIT 1
  UNION
  MATCH (u:User) WHERE u.risk_model IS NOT NULL RETURN 'user_risk' AS kind, u.risk_model AS model LIMIT 1
  UNION
  MATCH (o:Order) WHERE o.risk_model IS NOT NULL RETURN 'order_risk' AS kind, o.risk_model AS model LIMIT 1
}
RETURN kind, model
ORDER BY kind
