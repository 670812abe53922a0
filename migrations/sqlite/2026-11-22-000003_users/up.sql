-- Accounts. Each is bound to one region; `token_version` is copied into every token and
-- bumped by logout, password change and disabling, which revokes all earlier tokens.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('doctor', 'instructor', 'county_admin', 'city_admin', 'sysadmin')),
    region_code   TEXT NOT NULL REFERENCES regions (code),
    disabled      BOOLEAN NOT NULL DEFAULT 0,
    token_version BIGINT NOT NULL DEFAULT 0,
    created_by    BIGINT REFERENCES users (id),
    last_login_at TIMESTAMP,
    -- The login before the last, shown to the user ("上次登录") so they notice a stranger.
    previous_login_at TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX users_region_code ON users (region_code);

-- Failed-login counters per key ('user:NAME' or 'client:ADDR'), shared by all instances.
CREATE TABLE login_throttle (
    key               TEXT PRIMARY KEY NOT NULL,
    failures          INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until      TIMESTAMP
);
