-- Archive documents (Zaozhuang annex 2 §六: 签到表、通知、手册、经费明细存档) attached to a
-- centralized session or a county filing: the file itself kept as a blob (both
-- backends), its type checked by magic bytes before it is stored.
CREATE TABLE archive_documents (
    id INTEGER PRIMARY KEY NOT NULL,
    session_id   BIGINT REFERENCES sessions (id),
    report_id    BIGINT REFERENCES reports (id),
    kind         TEXT NOT NULL CHECK (kind IN ('notice', 'handbook', 'sign_in', 'expense', 'other')),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    uploaded_by  BIGINT REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    CHECK ((session_id IS NULL AND report_id IS NOT NULL) OR (session_id IS NOT NULL AND report_id IS NULL))
);
CREATE INDEX archive_documents_session ON archive_documents (session_id);
CREATE INDEX archive_documents_report ON archive_documents (report_id);
