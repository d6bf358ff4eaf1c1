// Batched relationship upsert whose properties are named in the text, as merge_nodes_named:
// graph.writer appends the SET clause and `RETURN count(r) AS matched` (rows that found both
// endpoints). Names that are not plain identifiers take merge_relationships.
UNWIND range(0, size($starts) - 1) AS i
MATCH (a:`{start_label}` {key: $starts[i]})
MATCH (b:`{end_label}` {key: $ends[i]})
MERGE (a)-[r:`{type}`]->(b)
