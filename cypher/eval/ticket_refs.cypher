// Order references found in ticket text.
MATCH (t:Ticket)-[:REFERS_TO]->(o:Order)
RETURN t.key AS record, o.key AS value
