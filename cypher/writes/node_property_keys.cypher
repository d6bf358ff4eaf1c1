// Property names per single label, from the schema statistics (no scan of the data).
CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName
WITH nodeLabels, propertyName WHERE size(nodeLabels) = 1 AND propertyName IS NOT NULL
RETURN nodeLabels[0] AS label, collect(DISTINCT propertyName) AS properties
