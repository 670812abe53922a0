-- Assessment (src/assessment): 年度考核 per doctor and year, 结业 per doctor and program,
-- and the completion certificates. Scores are INTEGER tenths of a point.

-- 年度考核: one row per attempt. The county's rating is entered on the open attempt;
-- confirming the year fills in the scores and locks the row (confirmed_at). A doctor who
-- failed is re-assessed as a new attempt.
CREATE TABLE annual_assessments (
    id INTEGER PRIMARY KEY NOT NULL,
    doctor_id    BIGINT NOT NULL REFERENCES doctors (id),
    program_id   BIGINT NOT NULL REFERENCES programs (id),
    year         INTEGER NOT NULL,
    attempt      INTEGER NOT NULL CHECK (attempt > 0),
    online       INTEGER NOT NULL DEFAULT 0,
    offline      INTEGER NOT NULL DEFAULT 0,
    ongoing      INTEGER NOT NULL DEFAULT 0,
    exam         INTEGER,
    score        INTEGER NOT NULL DEFAULT 0,
    passed       BOOLEAN NOT NULL DEFAULT FALSE,
    -- 学习态度及综合职业能力: the county's rating, 0–100 points.
    rating       INTEGER CHECK (rating BETWEEN 0 AND 1000),
    rated_by     BIGINT REFERENCES users (id),
    confirmed_at TIMESTAMP,
    confirmed_by BIGINT REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (doctor_id, program_id, year, attempt)
);
CREATE INDEX annual_assessments_year ON annual_assessments (program_id, year);

-- 结业: where a doctor stands on completing its program.
CREATE TABLE completions (
    id INTEGER PRIMARY KEY NOT NULL,
    doctor_id       BIGINT NOT NULL REFERENCES doctors (id),
    program_id      BIGINT NOT NULL REFERENCES programs (id),
    status          TEXT NOT NULL CHECK (status IN ('in_progress', 'eligible', 'passed', 'makeup', 'failed')),
    -- NULL: not sat yet.
    theory_passed   BOOLEAN,
    skills_passed   BOOLEAN,
    hours_met       BOOLEAN NOT NULL,
    makeup_deadline DATE,
    decided_at      TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (doctor_id, program_id)
);

-- 结业证书, verified by its code at /verify/{code}; revoked by the city.
CREATE TABLE certificates (
    id INTEGER PRIMARY KEY NOT NULL,
    code       TEXT NOT NULL UNIQUE,
    doctor_id  BIGINT NOT NULL REFERENCES doctors (id),
    program_id BIGINT NOT NULL REFERENCES programs (id),
    issued_on  DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by BIGINT REFERENCES users (id),
    reason     TEXT
);
CREATE INDEX certificates_doctor ON certificates (doctor_id, program_id);
