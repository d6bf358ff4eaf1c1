// Endpoints of every relationship of one type, with all of the endpoints' labels (a node may
// carry more than one, e.g. a risk band added by scoring; the reader picks the exported one).
MATCH (a)-[r:`{type}`]->(b)
RETURN labels(a) AS start_labels, a.key AS start, labels(b) AS end_labels, b.key AS end,
       [p IN $props | r[p]] AS values
