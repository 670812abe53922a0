-- County-wide 一人一册 exports: a zip of every doctor's dossier PDF, built in the
-- background with its progress (done of total); the zip is written to the export
-- directory on disk, named here.
CREATE TABLE dossier_exports (
    id INTEGER PRIMARY KEY NOT NULL,
    county_code  TEXT NOT NULL REFERENCES regions (code),
    requested_by BIGINT NOT NULL REFERENCES users (id),
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    total        INTEGER NOT NULL,
    done         INTEGER NOT NULL,
    file_name    TEXT,
    size_bytes   BIGINT,
    error        TEXT,
    created_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP
);
CREATE INDEX dossier_exports_county ON dossier_exports (county_code);
