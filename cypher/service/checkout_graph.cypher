// Purpose: draw why a checkout was scored risky in Neo4j Browser, before or after it is stored:
// its card, device, IP and shipping address with the older orders and accounts on them, and
// the buyer's own earlier orders (paths, so Browser shows a graph).
// Param: user string -- the buyer's User key
// Param: card string = '' -- Card key (pseudonymous); '' when none
// Param: device string = '' -- Device key
// Param: ip string = '' -- IP key
// Param: address string = '' -- shipping Address key
// Param: limit int = 200 in 1..1000 -- paths returned
// Example: :params {user: 'webshop:WS-C000001', card: '', device: '', ip: '', address: '', limit: 200}
// Returns: path
CALL () {
  MATCH path = (:Card {key: $card})<-[:PAID_WITH]-(:Order)<-[:PLACED]-(:User)
  RETURN path
  UNION
  MATCH path = (:Device {key: $device})<-[:PLACED_FROM]-(:Order)<-[:PLACED]-(:User)
  RETURN path
  UNION
  MATCH path = (:IP {key: $ip})<-[:FROM_IP]-(:Order)<-[:PLACED]-(:User)
  RETURN path
  UNION
  MATCH path = (:Address {key: $address})<-[:SHIPPED_TO]-(:Order)<-[:PLACED]-(:User)
  RETURN path
  UNION
  MATCH path = (:User {key: $user})-[:PLACED]->(:Order)-[:PAID_WITH|PLACED_FROM|FROM_IP|SHIPPED_TO]->()
  RETURN path
}
RETURN path
LIMIT toInteger($limit)
