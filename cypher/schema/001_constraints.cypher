// Uniqueness on every node key of the e-commerce model. Each constraint also backs an index that
// MERGE uses, so loading stays O(batch) instead of scanning. Labels that arrive later through a
// mapping file get the same constraint from the writer (graph.writer.ensure_key_constraint).
CREATE CONSTRAINT user_key IF NOT EXISTS FOR (n:User) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT product_key IF NOT EXISTS FOR (n:Product) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT order_key IF NOT EXISTS FOR (n:Order) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT category_key IF NOT EXISTS FOR (n:Category) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT brand_key IF NOT EXISTS FOR (n:Brand) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT attribute_key IF NOT EXISTS FOR (n:Attribute) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT review_key IF NOT EXISTS FOR (n:Review) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT ticket_key IF NOT EXISTS FOR (n:Ticket) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT device_key IF NOT EXISTS FOR (n:Device) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT ip_key IF NOT EXISTS FOR (n:IP) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT card_key IF NOT EXISTS FOR (n:Card) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT address_key IF NOT EXISTS FOR (n:Address) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT email_key IF NOT EXISTS FOR (n:Email) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT phone_key IF NOT EXISTS FOR (n:Phone) REQUIRE n.key IS UNIQUE;
