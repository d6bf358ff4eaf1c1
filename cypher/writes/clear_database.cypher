// Delete every node and relationship in batches (schema is kept). Must run in an auto-commit
// transaction because of IN TRANSACTIONS.
MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
