// Remove one batch of a risk-band label (RiskHigh / RiskMedium) before re-banding.
MATCH (n:`{label}`:`{name}`)
WITH n LIMIT $limit
REMOVE n:`{name}`
RETURN count(*) AS cleared
