-- The region tree (GB/T 2260): province → city → county → township → village.
-- `path` is '/370000/370400/370402/': a subtree is one range scan on it. Collation "C"
-- makes the range byte-ordered, as on SQLite.
CREATE TABLE regions (
    code        TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
    parent_code TEXT REFERENCES regions (code),
    path        TEXT COLLATE "C" NOT NULL UNIQUE,
    is_gb       BOOLEAN NOT NULL DEFAULT TRUE,
    is_demo     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX regions_parent_code ON regions (parent_code);
