-- A training program: a city's rules for its village doctors over some years. The
-- policy (hours, class-hour length, make-up window, pass marks, weights, deadlines) is
-- JSON checked by src/program/rules.rs; quotas are rows so they can be counted against.
CREATE TABLE programs (
    id INTEGER PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    preset      TEXT,
    region_code TEXT NOT NULL REFERENCES regions (code),
    start_year  INTEGER NOT NULL,
    end_year    INTEGER NOT NULL,
    policy      TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_by  BIGINT REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    CHECK (end_year >= start_year)
);
CREATE INDEX programs_region_code ON programs (region_code);
CREATE UNIQUE INDEX programs_region_preset ON programs (region_code, preset);

-- 名额分配表: places per county-level district per year.
CREATE TABLE program_quotas (
    program_id  BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    region_code TEXT NOT NULL REFERENCES regions (code),
    year        INTEGER NOT NULL,
    places      INTEGER NOT NULL CHECK (places >= 0),
    PRIMARY KEY (program_id, region_code, year)
);
