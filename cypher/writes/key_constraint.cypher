// Uniqueness constraint for a label that is not in the built-in schema (mapping-file labels).
CREATE CONSTRAINT `{name}` IF NOT EXISTS FOR (n:`{label}`) REQUIRE n.key IS UNIQUE
