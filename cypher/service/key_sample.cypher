// Purpose: per label a served model scores, its node count and how many of a sample of the
// model's keys exist here (one key-index lookup per sampled key: cheap at any graph size).
// Param: samples list -- one {label, keys} map per label the model scores
// Example: :params {samples: [{label: 'User', keys: ['webshop:WS-C000001', 'nobody']}]}
// Returns: label, nodes, found
UNWIND $samples AS s
CALL (s) {
  UNWIND s.keys AS k
  OPTIONAL MATCH (n:$(s.label) {key: k})
  RETURN count(n) AS found
}
CALL (s) {
  MATCH (n:$(s.label))
  RETURN count(n) AS nodes
}
RETURN s.label AS label, nodes, found
