-- Instance-wide settings shared by every instance on one database (e.g. the JWT secret
-- when none is configured).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
