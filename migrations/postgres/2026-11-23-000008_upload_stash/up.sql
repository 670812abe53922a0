-- Uploads kept between a dry run and its confirmation (pages), shared by all instances.
-- Rows expire after an hour and are swept on the next upload.
CREATE TABLE upload_stash (
    token      TEXT PRIMARY KEY NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL,
    filename   TEXT,
    params     TEXT NOT NULL,
    content    BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);
