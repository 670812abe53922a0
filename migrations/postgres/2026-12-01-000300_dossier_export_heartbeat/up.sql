-- A running export's last sign of life (each dossier written): one with none for ten
-- minutes was interrupted (a restart, a crash) and is closed as failed when next seen.
ALTER TABLE dossier_exports ADD COLUMN heartbeat_at TIMESTAMP;
