-- Append-only audit log. Each row's `hash` covers its own fields and the previous row's
-- hash, so an edited or deleted row breaks the chain (see src/audit.rs).
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY NOT NULL,
    at         TIMESTAMP NOT NULL,
    actor_id   BIGINT,
    actor      TEXT,
    action     TEXT NOT NULL,
    target     TEXT,
    detail     TEXT NOT NULL,
    client     TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_action ON audit_log (action);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
