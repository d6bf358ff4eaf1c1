// Idempotent batched node upsert. {label} is filled with a validated identifier by graph.writer.
// Columns, not one map per row (3-5x cheaper for the client to encode, half the bytes; measured
// in bench/ingest.py): $keys: [string]; $names: [string] with $values: [[value]], one list per
// name aligned with $keys; $time_names / $time_values: the same for datetimes sent as ISO-8601
// strings (the driver converts a Python datetime in pure Python, ~36 µs each; datetime() here
// parses the string). Every row of a batch has the same property names, so a property a record
// does not carry is left alone (the `+=` semantics). Property names are data (dynamic
// SET n[k], Cypher 5.26), never Cypher text.
UNWIND range(0, size($keys) - 1) AS i
MERGE (n:`{label}` {key: $keys[i]})
FOREACH (j IN range(0, size($names) - 1) | SET n[$names[j]] = $values[j][i])
FOREACH (j IN range(0, size($time_names) - 1) |
  SET n[$time_names[j]] = datetime($time_values[j][i]))
