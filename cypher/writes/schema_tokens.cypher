// Labels and relationship types present in the database (for schema-driven export).
// Each list is collected in its own subquery: a graph without relationships (or without
// labels) still returns one row, with an empty list.
CALL { CALL db.labels() YIELD label RETURN collect(label) AS labels }
CALL { CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS types }
RETURN labels, types
