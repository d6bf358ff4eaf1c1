// Write one batch of model scores as relationships (after delete_scored_links cleared the old).
// $rows: [{start: string, end: string, score: float, rank: int}]; $model: the artefact version.
UNWIND $rows AS row
MATCH (a:`{start_label}` {key: row.start})
MATCH (b:`{end_label}` {key: row.end})
CREATE (a)-[r:`{type}` {score: row.score, rank: row.rank, model: $model}]->(b)
RETURN count(r) AS written
