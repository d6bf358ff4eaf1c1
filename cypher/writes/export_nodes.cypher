// Keys and requested properties of one label, in key order so index positions are stable.
// $props: list of property names to return (missing ones come back as null)
MATCH (n:`{label}`)
RETURN n.key AS key, [p IN $props | n[p]] AS values
ORDER BY key
