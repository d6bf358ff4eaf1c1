// Purpose: stored scores for (source, target, type) pairs: RECOMMENDED (User -> Product) and
// LIKELY_SAME_ACTOR (User - User), as written back by the models; null where a pair is not scored.
// Param: pairs list -- [{i: 0, source: 'webshop:WS-C000001', target: 'webshop:WS-P000001', type: 'RECOMMENDED'}]
// Example: :param pairs => [{i: 0, source: 'webshop:WS-C000001', target: 'webshop:WS-P000001', type: 'RECOMMENDED'}]
// Returns: i, source_found, target_found, score, model
UNWIND $pairs AS pair
OPTIONAL MATCH (s:User {key: pair.source})
OPTIONAL MATCH (tp:Product {key: pair.target}) WHERE pair.type = 'RECOMMENDED'
OPTIONAL MATCH (tu:User {key: pair.target}) WHERE pair.type = 'LIKELY_SAME_ACTOR'
WITH pair, s, coalesce(tp, tu) AS t
OPTIONAL MATCH (s)-[r:RECOMMENDED|LIKELY_SAME_ACTOR]-(t) WHERE type(r) = pair.type
WITH pair, s, t, r ORDER BY r.score DESC
WITH pair, s, t, collect(r)[0] AS best
RETURN pair.i AS i, s IS NOT NULL AS source_found, t IS NOT NULL AS target_found,
       best.score AS score, best.model AS model
ORDER BY i
