// How many of a served model's sampled keys exist among one label's nodes, and the label's node
// count (count store). {label} is filled with a validated identifier by graph.fingerprint: with a
// static label each key is one lookup in the label's key index (a dynamic label would scan).
// $keys: list of node keys
CALL () {
  UNWIND $keys AS k
  OPTIONAL MATCH (n:`{label}` {key: k})
  RETURN count(n) AS found
}
CALL () {
  MATCH (n:`{label}`)
  RETURN count(n) AS nodes
}
RETURN nodes, found
