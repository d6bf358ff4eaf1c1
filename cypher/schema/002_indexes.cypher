// Lookups used by the pipeline, the API and analyst queries beyond the key constraints.
// Orders by time: temporal splits, velocity queries, incremental scoring of new orders.
CREATE INDEX order_created_at IF NOT EXISTS FOR (n:Order) ON (n.created_at);
// Platform of origin: per-platform reconciliation counts and entity-resolution blocking.
CREATE INDEX user_platform IF NOT EXISTS FOR (n:User) ON (n.platform);
CREATE INDEX product_platform IF NOT EXISTS FOR (n:Product) ON (n.platform);
// Risk scores written back by the models: "riskiest orders/users first" in Browser and the API.
CREATE INDEX order_risk IF NOT EXISTS FOR (n:Order) ON (n.risk_score);
CREATE INDEX user_risk IF NOT EXISTS FOR (n:User) ON (n.risk_score);
