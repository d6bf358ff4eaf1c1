// Remove one batch of a previous model's node scores (a re-score replaces every one of them).
MATCH (n:`{label}`)
WHERE n.`{score_property}` IS NOT NULL
WITH n LIMIT $limit
REMOVE n.`{score_property}`, n.`{model_property}`
RETURN count(*) AS cleared
