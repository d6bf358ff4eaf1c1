// Batched node upsert whose properties are named in the text: graph.writer appends
// `SET n.`name` = $values[j][i], ...` (datetimes: datetime($time_values[j][i])), each name a
// checked identifier. The server then plans fixed property keys instead of merge_nodes' FOREACH
// over dynamic keys: 0.97x vs 0.85x of LOAD CSV MERGE on 1M elements (bench/ingest.py,
// "tuned:columns,iso" vs "tuned:columns,iso,dynamic"). Names that are not plain identifiers
// take merge_nodes. Parameters as in merge_nodes.
UNWIND range(0, size($keys) - 1) AS i
MERGE (n:`{label}` {key: $keys[i]})
