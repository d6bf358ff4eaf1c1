// Entity-resolution links, by label.
MATCH (a)-[s:SAME_AS]->(b)
RETURN labels(a)[0] AS label, a.key AS a, b.key AS b, s.score AS score
