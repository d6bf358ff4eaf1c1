// Purpose: everything real-time order risk reads about a checkout, as of its time, in one round
// trip: per identifier (card, device, IP, shipping address) the accounts and older orders on it,
// its velocity, the chargebacks already reported on it and its most recent older orders (the
// GNN's neighbours); and the buyer and basket: the account's age, country, earlier orders and
// identifiers, the accounts tied to it through shared cards, devices, addresses, emails or phones,
// and per product its price and most recent older orders. One row: identifiers (a list of maps,
// one per identifier found) and account (a map).
// Param: card string = '' -- Card key (pseudonymous); '' when the checkout has none
// Param: device string = '' -- Device key
// Param: ip string = '' -- IP key
// Param: address string = '' -- shipping Address key
// Param: user string -- the buyer's User key (a key not in the graph is a new account)
// Param: products list -- Product keys in the basket
// Param: email string = '' -- Email key (pseudonymous) given at checkout; '' when none
// Param: order string = '' -- an order to leave out (re-scoring a stored order as of its time)
// Param: at datetime = '2100-01-01T00:00:00Z' -- the checkout's time: only older orders count
// Param: max_links int = 10 in 1..100 -- most recent older orders returned per identifier, product and account
// Example: :params {card: 'card:0123abcd', device: '', ip: '', address: '', user: 'webshop:WS-C000001', products: ['webshop:WS-P000001'], email: '', order: '', at: datetime('2100-01-01T00:00:00Z'), max_links: 10}
// Returns: identifiers, account
CALL () {
  CALL () {
    OPTIONAL MATCH (i:Card {key: $card}) RETURN 'Card' AS kind, 'PAID_WITH' AS rel, i
    UNION ALL
    OPTIONAL MATCH (i:Device {key: $device}) RETURN 'Device' AS kind, 'PLACED_FROM' AS rel, i
    UNION ALL
    OPTIONAL MATCH (i:IP {key: $ip}) RETURN 'IP' AS kind, 'FROM_IP' AS rel, i
    UNION ALL
    OPTIONAL MATCH (i:Address {key: $address}) RETURN 'Address' AS kind, 'SHIPPED_TO' AS rel, i
  }
  WITH kind, rel, i WHERE i IS NOT NULL
  CALL (i, rel) {
    MATCH (i)<-[r]-(o:Order)
    WHERE type(r) = rel AND o.created_at < $at AND o.key <> $order
    OPTIONAL MATCH (o)<-[:PLACED]-(v:User)
    WITH o, v ORDER BY o.created_at DESC, o.key DESC
    RETURN count(DISTINCT v) AS users, collect(DISTINCT v.key)[..1000] AS user_keys,
           $user IN collect(v.key) AS has_user,
           count(CASE WHEN o.created_at > $at - duration({days: 1}) THEN 1 END) AS orders_24h,
           count(CASE WHEN o.created_at > $at - duration({days: 7}) THEN 1 END) AS orders_7d,
           count(CASE WHEN o.is_chargeback AND o.chargeback_at < $at THEN 1 END) AS known_bad,
           collect(o.key)[..toInteger($max_links)] AS recent
  }
  RETURN collect({kind: kind, rel: rel, node: i.key, country: i.country, users: users,
                  user_keys: user_keys, has_user: has_user, orders_24h: orders_24h,
                  orders_7d: orders_7d, known_bad: known_bad, recent: recent}) AS identifiers
}
CALL () {
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
  RETURN {found: u IS NOT NULL, born: u.created_at, country: u.country, prior: prior,
          recent: recent, used: used, tied: tied, products: products} AS account
}
RETURN identifiers, account
