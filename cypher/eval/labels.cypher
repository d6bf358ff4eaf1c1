// Document-level labels: ticket intents and review sentiment.
MATCH (t:Ticket) WHERE t.intent IS NOT NULL
RETURN 'intent' AS kind, t.key AS record, t.intent AS value
UNION ALL
MATCH (r:Review) WHERE r.sentiment IS NOT NULL
RETURN 'sentiment' AS kind, r.key AS record, r.sentiment AS value
