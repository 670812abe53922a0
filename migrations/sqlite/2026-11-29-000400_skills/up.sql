-- Skills exams (技能考核, src/skills): stations (checklists), exams with their stations,
-- examiners and candidates, and the examiners' sheets. Points are INTEGER tenths.

-- A station: shipped from question_bank/skills/*.toml (synced at start) or added through
-- the API. `items` is JSON [{code,text,points,critical}] (points as numbers with at most
-- one decimal, as in the files); `rating`
-- the five labels of the global rating scale.
CREATE TABLE skill_stations (
    id INTEGER PRIMARY KEY NOT NULL,
    code         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    area         TEXT NOT NULL,
    minutes      INTEGER NOT NULL CHECK (minutes > 0),
    max_points   INTEGER NOT NULL CHECK (max_points > 0),
    pass_points  INTEGER NOT NULL CHECK (pass_points > 0 AND pass_points <= max_points),
    items        TEXT NOT NULL,
    rating       TEXT NOT NULL,
    source       TEXT NOT NULL,
    shipped      BOOLEAN NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    content_hash TEXT NOT NULL,
    created_by   BIGINT REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- A skills exam: 单项技能考核 (single), the practical half of 结业考核 (completion) and
-- its make-up. `pass_score` is on the sum of the stations' maxima; two examiners'
-- sheets differing by more than `review_threshold` are flagged for review.
CREATE TABLE skill_exams (
    id INTEGER PRIMARY KEY NOT NULL,
    title            TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('single', 'completion', 'makeup')),
    program_id       BIGINT NOT NULL REFERENCES programs (id),
    region_code      TEXT NOT NULL REFERENCES regions (code),
    held_on          DATE NOT NULL,
    -- The first round's start (UTC); the circuit schedule counts from it.
    starts_at        TIMESTAMP NOT NULL,
    pass_score       INTEGER NOT NULL CHECK (pass_score >= 0),
    review_threshold INTEGER NOT NULL CHECK (review_threshold >= 0),
    created_by       BIGINT REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX skill_exams_program ON skill_exams (program_id, held_on);

-- The stations of an exam, in circuit order, with a snapshot of the checklist as it was
-- when the exam was set (a station edited later never changes a past exam).
CREATE TABLE skill_exam_stations (
    exam_id     BIGINT NOT NULL REFERENCES skill_exams (id),
    station_id  BIGINT NOT NULL REFERENCES skill_stations (id),
    position    INTEGER NOT NULL,
    max_points  INTEGER NOT NULL,
    pass_points INTEGER NOT NULL,
    items       TEXT NOT NULL,
    PRIMARY KEY (exam_id, station_id)
);

-- Who examines which station (instructors).
CREATE TABLE skill_examiners (
    exam_id       BIGINT NOT NULL REFERENCES skill_exams (id),
    station_id    BIGINT NOT NULL REFERENCES skill_stations (id),
    instructor_id BIGINT NOT NULL REFERENCES instructors (id),
    PRIMARY KEY (exam_id, station_id, instructor_id)
);
CREATE INDEX skill_examiners_instructor ON skill_examiners (instructor_id);

-- The candidates, in circuit order (`position` gives the wave and the first station).
CREATE TABLE skill_candidates (
    exam_id   BIGINT NOT NULL REFERENCES skill_exams (id),
    doctor_id BIGINT NOT NULL REFERENCES doctors (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (exam_id, doctor_id)
);
CREATE INDEX skill_candidates_doctor ON skill_candidates (doctor_id);

-- One examiner's sheet for one candidate at one station. A submitted sheet is never
-- changed: a correction is a new version with its reason (audited). `items` is JSON
-- [{code,points}] (points as numbers with at most one decimal).
CREATE TABLE skill_sheets (
    id INTEGER PRIMARY KEY NOT NULL,
    exam_id         BIGINT NOT NULL REFERENCES skill_exams (id),
    doctor_id       BIGINT NOT NULL REFERENCES doctors (id),
    station_id      BIGINT NOT NULL REFERENCES skill_stations (id),
    examiner_id     BIGINT NOT NULL REFERENCES instructors (id),
    version         INTEGER NOT NULL CHECK (version > 0),
    items           TEXT NOT NULL,
    global_rating   INTEGER CHECK (global_rating BETWEEN 1 AND 5),
    notes           TEXT NOT NULL DEFAULT '',
    points          INTEGER NOT NULL,
    critical_missed BOOLEAN NOT NULL,
    passed          BOOLEAN NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    reason          TEXT,
    created_by      BIGINT REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    submitted_at    TIMESTAMP,
    UNIQUE (exam_id, doctor_id, station_id, examiner_id, version)
);
CREATE INDEX skill_sheets_doctor ON skill_sheets (doctor_id, exam_id);
