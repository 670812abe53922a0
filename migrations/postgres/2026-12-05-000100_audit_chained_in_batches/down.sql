-- Entries still pending are chained before the table goes.
SELECT audit_settle(2147483647);
DROP FUNCTION audit_settle(INTEGER);
DROP FUNCTION audit_hash_field(TEXT);
DROP TABLE audit_pending;
