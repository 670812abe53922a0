-- Scores and points as INTEGER tenths of a point (value × 10, rounded), the house rule
-- for anything people add up; exams gain a status so that one created by mistake can
-- be withdrawn (issue 13).
--
-- SQLite cannot change a column's type, so each table is rebuilt (SQLite's "making
-- other kinds of table schema changes": foreign keys off, one transaction, create the
-- new table, copy, drop the old one, rename, recreate the indexes). Foreign keys that
-- point at a rebuilt table (attempt_answers → attempts, attempts → exams,
-- exams.makeup_of) name it by name, so they point at the new table once it carries
-- the old name again. Foreign keys can only be switched outside a transaction, hence
-- metadata.toml (run_in_transaction = false) and the explicit BEGIN/COMMIT; the
-- connection ends with foreign keys on, as the server's connections always are.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE exams_new (
    id INTEGER PRIMARY KEY NOT NULL,
    title            TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('unit', 'annual', 'completion', 'makeup')),
    program_id       BIGINT NOT NULL REFERENCES programs (id),
    region_code      TEXT NOT NULL REFERENCES regions (code),
    cohort_year      INTEGER,
    year             INTEGER NOT NULL,
    makeup_of        BIGINT REFERENCES exams (id),
    opens_at         TIMESTAMP NOT NULL,
    closes_at        TIMESTAMP NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    -- Tenths of a point.
    pass_score       INTEGER NOT NULL,
    max_score        INTEGER NOT NULL,
    attempts_allowed INTEGER NOT NULL CHECK (attempts_allowed > 0),
    x_scoring        TEXT NOT NULL CHECK (x_scoring IN ('all_or_nothing', 'partial')),
    shuffle_options  BOOLEAN NOT NULL,
    -- JSON: {"items":[{area,type,difficulty,collection,count,points}]}.
    blueprint        TEXT NOT NULL,
    created_by       BIGINT REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    -- `withdrawn`: created by mistake and taken back before anyone sat it.
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    CHECK (closes_at > opens_at)
);
INSERT INTO exams_new (id, title, kind, program_id, region_code, cohort_year, year, makeup_of,
    opens_at, closes_at, duration_minutes, pass_score, max_score, attempts_allowed, x_scoring,
    shuffle_options, blueprint, created_by, created_at, status)
SELECT id, title, kind, program_id, region_code, cohort_year, year, makeup_of,
    opens_at, closes_at, duration_minutes, CAST(ROUND(pass_score * 10) AS INTEGER),
    CAST(ROUND(max_score * 10) AS INTEGER), attempts_allowed, x_scoring,
    shuffle_options, blueprint, created_by, created_at, 'active'
FROM exams;

CREATE TABLE attempts_new (
    id INTEGER PRIMARY KEY NOT NULL,
    exam_id      BIGINT NOT NULL REFERENCES exams (id),
    doctor_id    BIGINT NOT NULL REFERENCES doctors (id),
    attempt_no   INTEGER NOT NULL,
    seed         TEXT NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    deadline     TIMESTAMP NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted')),
    submitted_at TIMESTAMP,
    submitted_by TEXT CHECK (submitted_by IN ('candidate', 'deadline')),
    -- Tenths of a point.
    score        INTEGER,
    max_score    INTEGER NOT NULL,
    passed       BOOLEAN,
    paper        TEXT NOT NULL,
    UNIQUE (exam_id, doctor_id, attempt_no)
);
INSERT INTO attempts_new (id, exam_id, doctor_id, attempt_no, seed, started_at, deadline, status,
    submitted_at, submitted_by, score, max_score, passed, paper)
SELECT id, exam_id, doctor_id, attempt_no, seed, started_at, deadline, status,
    submitted_at, submitted_by, CAST(ROUND(score * 10) AS INTEGER),
    CAST(ROUND(max_score * 10) AS INTEGER), passed, paper
FROM attempts;

CREATE TABLE attempt_items_new (
    attempt_id  BIGINT NOT NULL REFERENCES attempts (id),
    position    INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    answer      TEXT,
    -- Tenths of a point.
    points      INTEGER NOT NULL,
    max_points  INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, position)
);
INSERT INTO attempt_items_new (attempt_id, position, question_id, answer, points, max_points)
SELECT attempt_id, position, question_id, answer, CAST(ROUND(points * 10) AS INTEGER),
    CAST(ROUND(max_points * 10) AS INTEGER)
FROM attempt_items;

DROP TABLE attempt_items;
DROP TABLE attempts;
DROP TABLE exams;
ALTER TABLE exams_new RENAME TO exams;
ALTER TABLE attempts_new RENAME TO attempts;
ALTER TABLE attempt_items_new RENAME TO attempt_items;

CREATE INDEX exams_program ON exams (program_id, opens_at);
CREATE INDEX attempts_open ON attempts (status, deadline);
CREATE INDEX attempts_doctor ON attempts (doctor_id, exam_id);
CREATE INDEX attempt_items_question ON attempt_items (question_id);

COMMIT;
PRAGMA foreign_keys = ON;
