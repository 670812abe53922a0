ALTER TABLE dossier_exports DROP COLUMN heartbeat_at;
