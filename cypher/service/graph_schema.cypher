// Purpose: the labels, relationship types and property keys in use, which a served model's
// fingerprint must find (a model trained on another graph names what this one lacks).
// Parameters: none.
// Returns: labels, types, properties
CALL db.labels() YIELD label
WITH collect(label) AS labels
CALL db.relationshipTypes() YIELD relationshipType
WITH labels, collect(relationshipType) AS types
CALL db.propertyKeys() YIELD propertyKey
RETURN labels, types, collect(propertyKey) AS properties
