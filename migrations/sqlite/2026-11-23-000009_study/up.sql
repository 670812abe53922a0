-- The study ledger. Every credited minute is a study record traceable to its evidence:
-- a platform export row, an attendance mark, a supervisor's sign-off, an approved
-- self-report. Records with a time interval (sessions, shadowing days) must not overlap
-- for one doctor, and no day credits more than 24 hours (src/study/rules.rs).

-- The online course catalog of a program (modules of the 158 hours).
CREATE TABLE courses (
    id INTEGER PRIMARY KEY NOT NULL,
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    code        TEXT NOT NULL,
    title       TEXT NOT NULL,
    area        TEXT NOT NULL,
    minutes     INTEGER NOT NULL CHECK (minutes > 0),
    sort        INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (program_id, code)
);

-- A doctor's account on an online platform (中国继续医学教育网, 人卫慕课 …), for
-- matching platform exports that carry no ID number.
CREATE TABLE platform_accounts (
    platform  TEXT NOT NULL,
    account   TEXT NOT NULL,
    doctor_id BIGINT NOT NULL REFERENCES doctors (id),
    PRIMARY KEY (platform, account)
);
CREATE INDEX platform_accounts_doctor ON platform_accounts (doctor_id);

-- 集中培训: a centralized training session.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY NOT NULL,
    program_id     BIGINT NOT NULL REFERENCES programs (id),
    title          TEXT NOT NULL,
    topic          TEXT NOT NULL,
    location       TEXT NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    starts_at      TIMESTAMP NOT NULL,
    ends_at        TIMESTAMP NOT NULL,
    minutes        INTEGER NOT NULL CHECK (minutes > 0),
    capacity       INTEGER,
    checkin_secret TEXT NOT NULL,
    created_by     BIGINT REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX sessions_region_starts ON sessions (region_code, starts_at);

CREATE TABLE session_instructors (
    session_id    BIGINT NOT NULL REFERENCES sessions (id),
    instructor_id BIGINT NOT NULL REFERENCES instructors (id),
    PRIMARY KEY (session_id, instructor_id)
);
CREATE INDEX session_instructors_instructor ON session_instructors (instructor_id);

-- 脱产跟班学习: a doctor's placement at a training base, with department rotations.
CREATE TABLE placements (
    id INTEGER PRIMARY KEY NOT NULL,
    doctor_id        BIGINT NOT NULL REFERENCES doctors (id),
    program_id       BIGINT NOT NULL REFERENCES programs (id),
    base_org_id      BIGINT NOT NULL REFERENCES organizations (id),
    starts_on        DATE NOT NULL,
    ends_on          DATE NOT NULL,
    assessment_score INTEGER,
    summary          TEXT,
    created_by       BIGINT REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX placements_doctor ON placements (doctor_id);

-- 科室轮转: one department of a placement, under a supervising instructor.
CREATE TABLE rotations (
    id INTEGER PRIMARY KEY NOT NULL,
    placement_id     BIGINT NOT NULL REFERENCES placements (id),
    department       TEXT NOT NULL,
    starts_on        DATE NOT NULL,
    ends_on          DATE NOT NULL,
    supervisor_id    BIGINT REFERENCES instructors (id),
    signed_off_by    BIGINT REFERENCES users (id),
    signed_off_at    TIMESTAMP,
    assessment_score INTEGER,
    summary          TEXT,
    created_at       TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX rotations_placement ON rotations (placement_id);
CREATE INDEX rotations_supervisor ON rotations (supervisor_id);

CREATE TABLE study_records (
    id INTEGER PRIMARY KEY NOT NULL,
    doctor_id   BIGINT NOT NULL REFERENCES doctors (id),
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    kind        TEXT NOT NULL CHECK (kind IN ('online', 'centralized', 'shadowing', 'tutoring', 'skills_practice')),
    minutes     INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    occurred_on DATE NOT NULL,
    starts_at   TIMESTAMP,
    ends_at     TIMESTAMP,
    course_id   BIGINT REFERENCES courses (id),
    session_id  BIGINT REFERENCES sessions (id),
    rotation_id BIGINT REFERENCES rotations (id),
    source      TEXT NOT NULL CHECK (source IN ('platform', 'self_report', 'attendance', 'shadowing_log', 'tutoring', 'manual')),
    -- What makes the record unique for its doctor (a platform row, a session, a day).
    source_ref  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    evidence    TEXT,
    -- Unit test score on the platform, in tenths of a point (0–1000).
    unit_score  INTEGER,
    created_by  BIGINT REFERENCES users (id),
    reviewed_by BIGINT REFERENCES users (id),
    reviewed_at TIMESTAMP,
    review_note TEXT,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (doctor_id, source_ref)
);
-- Progress reads per doctor are index-only scans of this index.
CREATE INDEX study_records_progress ON study_records (doctor_id, status, kind, occurred_on, minutes);
CREATE INDEX study_records_session ON study_records (session_id);
CREATE INDEX study_records_rotation ON study_records (rotation_id);
CREATE INDEX study_records_pending ON study_records (status, created_at);

-- A photo or scan attached to a self-report.
CREATE TABLE evidence_files (
    record_id    BIGINT PRIMARY KEY NOT NULL REFERENCES study_records (id),
    content_type TEXT NOT NULL,
    content      BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
