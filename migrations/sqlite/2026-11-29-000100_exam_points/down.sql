-- Back to DOUBLE PRECISION points (tenths ÷ 10) and exams without a status: a withdrawn
-- exam becomes an ordinary one again (the old schema cannot say otherwise). The same
-- table rebuild as up.sql (foreign keys off, one transaction), with the definitions
-- of 2026-11-24-000010_exams.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE exams_old (
    id INTEGER PRIMARY KEY NOT NULL,
    title            TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('unit', 'annual', 'completion', 'makeup')),
    program_id       BIGINT NOT NULL REFERENCES programs (id),
    -- Who may sit: doctors of the program in this region's subtree (and cohort).
    region_code      TEXT NOT NULL REFERENCES regions (code),
    cohort_year      INTEGER,
    -- The training year the exam belongs to (the annual assessment's year).
    year             INTEGER NOT NULL,
    -- A make-up exam: the completion exam it makes up for.
    makeup_of        BIGINT REFERENCES exams (id),
    opens_at         TIMESTAMP NOT NULL,
    closes_at        TIMESTAMP NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    pass_score       DOUBLE PRECISION NOT NULL,
    max_score        DOUBLE PRECISION NOT NULL,
    attempts_allowed INTEGER NOT NULL CHECK (attempts_allowed > 0),
    x_scoring        TEXT NOT NULL CHECK (x_scoring IN ('all_or_nothing', 'partial')),
    shuffle_options  BOOLEAN NOT NULL,
    -- JSON: {"items":[{area,type,difficulty,collection,count,points}]}.
    blueprint        TEXT NOT NULL,
    created_by       BIGINT REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    CHECK (closes_at > opens_at)
);
INSERT INTO exams_old (id, title, kind, program_id, region_code, cohort_year, year, makeup_of,
    opens_at, closes_at, duration_minutes, pass_score, max_score, attempts_allowed, x_scoring,
    shuffle_options, blueprint, created_by, created_at)
SELECT id, title, kind, program_id, region_code, cohort_year, year, makeup_of,
    opens_at, closes_at, duration_minutes, pass_score / 10.0, max_score / 10.0,
    attempts_allowed, x_scoring, shuffle_options, blueprint, created_by, created_at
FROM exams;

CREATE TABLE attempts_old (
    id INTEGER PRIMARY KEY NOT NULL,
    exam_id      BIGINT NOT NULL REFERENCES exams (id),
    doctor_id    BIGINT NOT NULL REFERENCES doctors (id),
    attempt_no   INTEGER NOT NULL,
    seed         TEXT NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    deadline     TIMESTAMP NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted')),
    submitted_at TIMESTAMP,
    -- `candidate`, or `deadline` when the background job submitted it.
    submitted_by TEXT,
    score        DOUBLE PRECISION,
    max_score    DOUBLE PRECISION NOT NULL,
    passed       BOOLEAN,
    paper        TEXT NOT NULL,
    UNIQUE (exam_id, doctor_id, attempt_no)
);
INSERT INTO attempts_old (id, exam_id, doctor_id, attempt_no, seed, started_at, deadline, status,
    submitted_at, submitted_by, score, max_score, passed, paper)
SELECT id, exam_id, doctor_id, attempt_no, seed, started_at, deadline, status,
    submitted_at, submitted_by, score / 10.0, max_score / 10.0, passed, paper
FROM attempts;

CREATE TABLE attempt_items_old (
    attempt_id  BIGINT NOT NULL REFERENCES attempts (id),
    position    INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    answer      TEXT,
    points      DOUBLE PRECISION NOT NULL,
    max_points  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (attempt_id, position)
);
INSERT INTO attempt_items_old (attempt_id, position, question_id, answer, points, max_points)
SELECT attempt_id, position, question_id, answer, points / 10.0, max_points / 10.0
FROM attempt_items;

DROP TABLE attempt_items;
DROP TABLE attempts;
DROP TABLE exams;
ALTER TABLE exams_old RENAME TO exams;
ALTER TABLE attempts_old RENAME TO attempts;
ALTER TABLE attempt_items_old RENAME TO attempt_items;

CREATE INDEX exams_program ON exams (program_id, opens_at);
CREATE INDEX attempts_open ON attempts (status, deadline);
CREATE INDEX attempts_doctor ON attempts (doctor_id, exam_id);
CREATE INDEX attempt_items_question ON attempt_items (question_id);

COMMIT;
PRAGMA foreign_keys = ON;
