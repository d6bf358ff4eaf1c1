// Idempotent batched relationship upsert: one relationship per (start, type, end).
// Returns how many rows found both endpoints, so the writer can report the ones that did not.
// $starts, $ends: [string]; $names/$values, $time_names/$time_values as in merge_nodes.
UNWIND range(0, size($starts) - 1) AS i
MATCH (a:`{start_label}` {key: $starts[i]})
MATCH (b:`{end_label}` {key: $ends[i]})
MERGE (a)-[r:`{type}`]->(b)
FOREACH (j IN range(0, size($names) - 1) | SET r[$names[j]] = $values[j][i])
FOREACH (j IN range(0, size($time_names) - 1) |
  SET r[$time_names[j]] = datetime($time_values[j][i]))
RETURN count(r) AS matched
