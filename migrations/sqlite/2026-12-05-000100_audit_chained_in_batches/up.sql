-- On PostgreSQL audit entries wait here until a server chains them in a batch into
-- `audit_log` (see the PostgreSQL migration). SQLite appends inside
-- its one write transaction and never uses this table; it exists so both backends have
-- the same tables.
CREATE TABLE audit_pending (
    id         INTEGER PRIMARY KEY NOT NULL,
    at         TIMESTAMP NOT NULL,
    actor_id   BIGINT,
    actor      TEXT,
    action     TEXT NOT NULL,
    target     TEXT,
    detail     TEXT NOT NULL,
    client     TEXT
);
