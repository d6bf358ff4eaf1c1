// Idempotent batched node upsert. {label} is filled with a validated identifier by graph.writer.
// $rows: [{key: string, props: map}]
UNWIND $rows AS row
MERGE (n:`{label}` {key: row.key})
SET n += row.props
