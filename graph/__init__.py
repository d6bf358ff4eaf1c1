"""The graph layer: the managed Neo4j server, typed records, batched writes and exports.

``neo4j`` (the driver) is imported only inside this package.
"""
