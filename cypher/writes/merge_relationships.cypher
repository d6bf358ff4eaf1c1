// Idempotent batched relationship upsert: one relationship per (start, type, end).
// Returns how many rows found both endpoints, so the writer can report the ones that did not.
// $rows: [{start: string, end: string, props: map, times: map}] (times: see merge_nodes).
UNWIND $rows AS row
MATCH (a:`{start_label}` {key: row.start})
MATCH (b:`{end_label}` {key: row.end})
MERGE (a)-[r:`{type}`]->(b)
SET r += row.props
FOREACH (k IN keys(row.times) | SET r[k] = datetime(row.times[k]))
RETURN count(r) AS matched
