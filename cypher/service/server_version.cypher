// Purpose: the Neo4j server's components and versions (reported by GET /ready).
// Parameters: none.
// Returns: name, version
CALL dbms.components() YIELD name, versions
RETURN name, versions[0] AS version
