DROP TABLE audit_pending;
DROP FUNCTION audit_chain_pending();
DROP FUNCTION audit_hash_field(TEXT);
