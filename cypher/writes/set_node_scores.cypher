// Set one batch of model scores on nodes. $rows: [{key: string, score: float}]; $model: version.
UNWIND $rows AS row
MATCH (n:`{label}` {key: row.key})
SET n.`{score_property}` = row.score, n.`{model_property}` = $model
RETURN count(n) AS written
