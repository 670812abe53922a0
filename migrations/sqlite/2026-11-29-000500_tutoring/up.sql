-- 辅导带教 and the 3331 support visits (issue 11; Zaozhuang annex 2 §四(三), annex 3 §二;
-- Weifang annex 3): tutoring teams, learning groups with their membership history,
-- activities, monthly evaluations, the central village clinics the dispatched teams
-- visit, the visits, and the dispatched staff's absences.

ALTER TABLE organizations ADD COLUMN central_village_clinic BOOLEAN NOT NULL DEFAULT 0;

-- 带教团队: dispatched experts (下沉专家) and local staff (本地骨干).
CREATE TABLE tutoring_teams (
    id INTEGER PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    program_id  BIGINT REFERENCES programs (id),
    created_by  BIGINT REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (region_code, name)
);

CREATE TABLE tutoring_team_members (
    team_id       BIGINT NOT NULL REFERENCES tutoring_teams (id),
    instructor_id BIGINT NOT NULL REFERENCES instructors (id),
    role          TEXT NOT NULL CHECK (role IN ('doctor', 'nurse', 'pharmacist', 'technician', 'other')),
    dispatched    BOOLEAN NOT NULL DEFAULT 0,
    home_org_id   BIGINT REFERENCES organizations (id),
    level         TEXT CHECK (level IN ('county_hospital', 'township_centre', 'village_clinic')),
    PRIMARY KEY (team_id, instructor_id)
);
CREATE INDEX tutoring_team_members_instructor ON tutoring_team_members (instructor_id);

-- 学习小组: doctors of one program, tutored by one team.
CREATE TABLE tutoring_groups (
    id INTEGER PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    team_id     BIGINT NOT NULL REFERENCES tutoring_teams (id),
    criteria    TEXT NOT NULL DEFAULT '',
    created_by  BIGINT REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX tutoring_groups_region ON tutoring_groups (region_code);
CREATE INDEX tutoring_groups_team ON tutoring_groups (team_id);

-- Membership with history: a move closes the old row (left_at) and opens a new one.
CREATE TABLE tutoring_memberships (
    id INTEGER PRIMARY KEY NOT NULL,
    group_id   BIGINT NOT NULL REFERENCES tutoring_groups (id),
    doctor_id  BIGINT NOT NULL REFERENCES doctors (id),
    program_id BIGINT NOT NULL REFERENCES programs (id),
    joined_at  TIMESTAMP NOT NULL,
    left_at    TIMESTAMP,
    changed_by BIGINT REFERENCES users (id),
    CHECK (left_at IS NULL OR left_at >= joined_at)
);
CREATE INDEX tutoring_memberships_group ON tutoring_memberships (group_id);
-- A doctor is in at most one open group per program.
CREATE UNIQUE INDEX tutoring_memberships_open ON tutoring_memberships (doctor_id, program_id)
    WHERE left_at IS NULL;

-- 辅导答疑、带教指导、授课.
CREATE TABLE tutoring_activities (
    id INTEGER PRIMARY KEY NOT NULL,
    group_id   BIGINT NOT NULL REFERENCES tutoring_groups (id),
    kind       TEXT NOT NULL CHECK (kind IN ('qa', 'guidance', 'lecture')),
    starts_at  TIMESTAMP NOT NULL,
    ends_at    TIMESTAMP NOT NULL,
    topic      TEXT NOT NULL,
    note       TEXT,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX tutoring_activities_group ON tutoring_activities (group_id);

CREATE TABLE tutoring_attendees (
    activity_id BIGINT NOT NULL REFERENCES tutoring_activities (id),
    doctor_id   BIGINT NOT NULL REFERENCES doctors (id),
    PRIMARY KEY (activity_id, doctor_id)
);

-- 每月对学习小组进行学习进度评估.
CREATE TABLE tutoring_evaluations (
    id INTEGER PRIMARY KEY NOT NULL,
    group_id      BIGINT NOT NULL REFERENCES tutoring_groups (id),
    month         TEXT NOT NULL,
    score         INTEGER NOT NULL,
    progress      TEXT NOT NULL,
    remarks       TEXT NOT NULL DEFAULT '',
    instructor_id BIGINT REFERENCES instructors (id),
    created_by    BIGINT REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (group_id, month)
);

-- 3331: a dispatched team's visit to a central village clinic.
CREATE TABLE support_visits (
    id INTEGER PRIMARY KEY NOT NULL,
    team_id    BIGINT NOT NULL REFERENCES tutoring_teams (id),
    clinic_id  BIGINT NOT NULL REFERENCES organizations (id),
    starts_on  DATE NOT NULL,
    ends_on    DATE NOT NULL,
    -- Comma-separated: tour, teach, lecture.
    modes      TEXT NOT NULL,
    -- A single-day visit shorter than a working day records its hours (not a full day).
    hours      INTEGER CHECK (hours IS NULL OR (hours > 0 AND hours < 24)),
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX support_visits_team ON support_visits (team_id, starts_on);

CREATE TABLE support_visit_doctors (
    visit_id  BIGINT NOT NULL REFERENCES support_visits (id),
    doctor_id BIGINT NOT NULL REFERENCES doctors (id),
    PRIMARY KEY (visit_id, doctor_id)
);

-- A dispatched expert's absence (缺勤): two unjustified ones fail its assessment.
CREATE TABLE dispatch_absences (
    id INTEGER PRIMARY KEY NOT NULL,
    instructor_id BIGINT NOT NULL REFERENCES instructors (id),
    occurred_on   DATE NOT NULL,
    justified     BOOLEAN NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    created_by    BIGINT REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (instructor_id, occurred_on)
);
