// Create one order scored online, only when its key is new: never MERGE onto a stored order.
// Zero `created` means the key exists; two racing creates are kept apart by the order_key
// uniqueness constraint (the second fails with a constraint error). Runs in the same write
// transaction as the order's relationships, so a refused order writes nothing.
// $key: string, $props: map, $times: map of ISO-8601 strings (see merge_nodes).
OPTIONAL MATCH (existing:Order {key: $key})
WITH existing WHERE existing IS NULL
CREATE (o:Order {key: $key})
SET o += $props
FOREACH (k IN keys($times) | SET o[k] = datetime($times[k]))
RETURN count(o) AS created
