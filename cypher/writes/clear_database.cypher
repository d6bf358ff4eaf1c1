// Delete every relationship, then every node, in batches (schema is kept). Relationships go
// first: a batch of nodes that holds popular products would otherwise delete hundreds of
// thousands of relationships in one transaction and exceed the transaction memory limit.
// Auto-commit only (IN TRANSACTIONS).
MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS;
MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS;
