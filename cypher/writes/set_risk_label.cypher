// Band nodes by score so Browser's style (which selects by label) can size risky nodes:
// `{name}` on every `{label}` whose score lies in [$low, $high).
MATCH (n:`{label}`)
WHERE n.`{score_property}` >= $low AND n.`{score_property}` < $high
SET n:`{name}`
RETURN count(n) AS banded
