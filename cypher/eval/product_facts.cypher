// Product facts as (product key, attribute name, value): brand, leaf category, attributes.
// Read back from the graph by `cartograph evaluate extraction`.
MATCH (p:Product)-[:MADE_BY]->(b:Brand)
RETURN p.key AS record, 'brand' AS name, b.key AS value
UNION ALL
MATCH (p:Product)-[:IN_CATEGORY]->(c:Category)
RETURN p.key AS record, 'category' AS name, c.key AS value
UNION ALL
MATCH (p:Product)-[:HAS_ATTRIBUTE]->(a:Attribute)
RETURN p.key AS record, a.name AS name, a.value AS value
