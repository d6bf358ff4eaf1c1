// Endpoints of every relationship of one type, with the endpoints' first labels.
MATCH (a)-[r:`{type}`]->(b)
RETURN labels(a)[0] AS start_label, a.key AS start, labels(b)[0] AS end_label, b.key AS end,
       [p IN $props | r[p]] AS values
