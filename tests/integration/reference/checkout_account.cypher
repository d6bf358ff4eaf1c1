// Purpose: the buyer and basket of a checkout as of its time, for real-time risk: the account's
// age, country, earlier orders and identifiers, the accounts tied to it through shared cards,
// devices, addresses, emails or phones, and per product its price and most recent older orders.
// Param: user string -- the buyer's User key (a key not in the graph is a new account)
// Param: products list -- Product keys in the basket
// Param: email string = '' -- Email key (pseudonymous) given at checkout; '' when none
// Param: order string = '' -- an order to leave out (re-scoring a stored order as of its time)
// Param: at datetime = '2100-01-01T00:00:00Z' -- the checkout's time: only older orders count
// Param: max_links int = 10 in 1..100 -- most recent older orders returned per product and account
// Example: :params {user: 'webshop:WS-C000001', products: ['webshop:WS-P000001'], email: '', order: '', at: datetime('2100-01-01T00:00:00Z'), max_links: 10}
// Returns: found, born, country, prior, recent, used, tied, products
OPTIONAL MATCH (u:User {key: $user})
CALL (u) {
  OPTIONAL MATCH (u)-[:PLACED]->(o:Order) WHERE o.created_at < $at AND o.key <> $order
  WITH o ORDER BY o.created_at DESC, o.key DESC
  RETURN count(o) AS prior, collect(o.key)[..toInteger($max_links)] AS recent
}
CALL (u) {
  OPTIONAL MATCH (u)-[:PLACED]->(o:Order)-[:PAID_WITH|PLACED_FROM|FROM_IP|SHIPPED_TO]->(i)
  WHERE o.created_at < $at AND o.key <> $order
  RETURN collect(DISTINCT i.key) AS used
}
CALL (u) {
  OPTIONAL MATCH (u)-[:PLACED]->(o:Order)-[:PAID_WITH|PLACED_FROM|SHIPPED_TO]->(i)
        <-[:PAID_WITH|PLACED_FROM|SHIPPED_TO]-(o2:Order)<-[:PLACED]-(v:User)
  WHERE o.created_at < $at AND o2.created_at < $at AND o.key <> $order AND v <> u
  RETURN collect(DISTINCT v.key) AS via_orders
}
CALL (u) {
  OPTIONAL MATCH (u)-[:HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]->(i)<-[:HAS_EMAIL|HAS_PHONE|HAS_ADDRESS]-(v:User)
  WHERE v <> u AND coalesce(v.created_at < $at, true)
  RETURN collect(DISTINCT v.key) AS via_profile
}
CALL () {
  OPTIONAL MATCH (:Email {key: $email})<-[:HAS_EMAIL]-(v:User)
  WHERE v.key <> $user AND coalesce(v.created_at < $at, true)
  RETURN collect(DISTINCT v.key) AS via_email
}
CALL () {
  UNWIND $products AS pk
  OPTIONAL MATCH (p:Product {key: pk})
  CALL (p) {
    OPTIONAL MATCH (p)<-[:CONTAINS]-(o:Order) WHERE o.created_at < $at AND o.key <> $order
    WITH o ORDER BY o.created_at DESC, o.key DESC LIMIT toInteger($max_links)
    RETURN collect(o.key) AS recent
  }
  RETURN collect({key: pk, found: p IS NOT NULL, price: p.price, recent: recent}) AS products
}
WITH u, prior, recent, used, products,
     [k IN via_orders + via_profile + via_email WHERE k IS NOT NULL] AS ties
UNWIND (CASE WHEN ties = [] THEN [null] ELSE ties END) AS tie
WITH u, prior, recent, used, products, collect(DISTINCT tie) AS tied
RETURN u IS NOT NULL AS found, u.created_at AS born, u.country AS country, prior, recent, used,
       tied, products
