// Purpose: whether a node with this label and key exists (the API answers 404 for unknown keys).
// Param: label string -- one of the graph model's labels (User, Order, Product)
// Param: key string -- the node's key
// Example: :params {label: 'User', key: 'webshop:WS-C000001'}
// Returns: found
OPTIONAL MATCH (n:$($label) {key: $key})
RETURN n IS NOT NULL AS found
LIMIT 1
