-- The question bank and the exam engine (src/bank, src/exams).

-- 题库: the questions of every collection (`core` is the shipped bank, loaded from the
-- binary at start; imports add named collections). `qid` is the stable id every paper
-- refers to; a question edited later never changes a past paper, which holds a copy.
CREATE TABLE questions (
    id INTEGER PRIMARY KEY NOT NULL,
    qid          TEXT NOT NULL UNIQUE,
    collection   TEXT NOT NULL,
    area         TEXT NOT NULL,
    topic        TEXT NOT NULL,
    qtype        TEXT NOT NULL CHECK (qtype IN ('A1', 'A2', 'A3', 'A4', 'B1', 'X', 'TF')),
    difficulty   TEXT CHECK (difficulty IN ('easy', 'medium', 'hard')),
    group_id     TEXT,
    case_text    TEXT,
    stem         TEXT NOT NULL,
    -- JSON array of the option texts, A first; empty for true/false.
    options      TEXT NOT NULL,
    answer       TEXT NOT NULL,
    explanation  TEXT NOT NULL,
    source       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_by   BIGINT REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX questions_pool ON questions (area, qtype, active);
CREATE INDEX questions_collection ON questions (collection, area);

-- An exam: unit tests, the annual assessment, the completion exam and its make-up.
CREATE TABLE exams (
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
CREATE INDEX exams_program ON exams (program_id, opens_at);

-- One sitting. `seed` reproduces the draw; `paper` is the snapshot of the items as this
-- candidate saw them (shuffled options, keys, points) — the only copy grading reads.
CREATE TABLE attempts (
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
CREATE INDEX attempts_open ON attempts (status, deadline);
CREATE INDEX attempts_doctor ON attempts (doctor_id, exam_id);

-- Answers as saved, one row per question, overwritten by each save.
CREATE TABLE attempt_answers (
    attempt_id  BIGINT NOT NULL REFERENCES attempts (id),
    question_id TEXT NOT NULL,
    answer      TEXT NOT NULL,
    saved_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
);

-- Graded items, written once at submission: what results and item analysis read.
CREATE TABLE attempt_items (
    attempt_id  BIGINT NOT NULL REFERENCES attempts (id),
    position    INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    answer      TEXT,
    points      DOUBLE PRECISION NOT NULL,
    max_points  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (attempt_id, position)
);
CREATE INDEX attempt_items_question ON attempt_items (question_id);
