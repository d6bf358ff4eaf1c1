// Idempotent batched node upsert. {label} is filled with a validated identifier by graph.writer.
// $rows: [{key: string, props: map, times: map}]. `times` carries the row's datetimes as
// ISO-8601 strings: the driver converts Python datetimes in pure Python (~36 µs each, measured
// in bench/ingest.py), while a string packs natively and datetime() parses it here.
UNWIND $rows AS row
MERGE (n:`{label}` {key: row.key})
SET n += row.props
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
