-- Progress in O(1) (issue 14): each doctor's ledger totals, per kind and year, and per
-- doctor, written by the ledger's one write path (src/study/store/totals.rs) in the same
-- transaction as the records they sum; `cunyi check ledger` recomputes and compares.
CREATE TABLE study_totals (
    doctor_id        BIGINT NOT NULL REFERENCES doctors (id),
    kind             TEXT NOT NULL CHECK (kind IN ('online', 'centralized', 'shadowing', 'tutoring', 'skills_practice')),
    year             INTEGER NOT NULL,
    -- Approved minutes.
    credited_minutes INTEGER NOT NULL,
    -- Minutes awaiting review or sign-off.
    pending_minutes  INTEGER NOT NULL,
    -- Records of any status.
    records          INTEGER NOT NULL,
    -- Distinct days with approved minutes.
    credited_days    INTEGER NOT NULL,
    -- Approved records' platform unit scores (tenths): sum and count.
    score_sum        BIGINT NOT NULL,
    score_count      INTEGER NOT NULL,
    PRIMARY KEY (doctor_id, kind, year)
);

-- One row per doctor with any record: what the progress table filters and shows.
CREATE TABLE study_doctor_totals (
    doctor_id               BIGINT PRIMARY KEY NOT NULL REFERENCES doctors (id),
    online_minutes          INTEGER NOT NULL,
    centralized_minutes     INTEGER NOT NULL,
    shadowing_minutes       INTEGER NOT NULL,
    tutoring_minutes        INTEGER NOT NULL,
    skills_practice_minutes INTEGER NOT NULL,
    pending_minutes         INTEGER NOT NULL
);

-- The progress table pages doctors in (region code, id) order.
CREATE INDEX doctors_region_id ON doctors (region_code, id);

INSERT INTO study_totals (doctor_id, kind, year, credited_minutes, pending_minutes, records,
                          credited_days, score_sum, score_count)
SELECT doctor_id, kind, CAST(substr(occurred_on, 1, 4) AS INTEGER),
       COALESCE(SUM(CASE WHEN status = 'approved' THEN minutes END), 0),
       COALESCE(SUM(CASE WHEN status = 'pending' THEN minutes END), 0),
       COUNT(*),
       COUNT(DISTINCT CASE WHEN status = 'approved' THEN occurred_on END),
       COALESCE(SUM(CASE WHEN status = 'approved' THEN unit_score END), 0),
       COUNT(CASE WHEN status = 'approved' THEN unit_score END)
FROM study_records GROUP BY 1, 2, 3;

INSERT INTO study_doctor_totals (doctor_id, online_minutes, centralized_minutes,
                                 shadowing_minutes, tutoring_minutes,
                                 skills_practice_minutes, pending_minutes)
SELECT doctor_id,
       SUM(CASE WHEN kind = 'online' THEN credited_minutes ELSE 0 END),
       SUM(CASE WHEN kind = 'centralized' THEN credited_minutes ELSE 0 END),
       SUM(CASE WHEN kind = 'shadowing' THEN credited_minutes ELSE 0 END),
       SUM(CASE WHEN kind = 'tutoring' THEN credited_minutes ELSE 0 END),
       SUM(CASE WHEN kind = 'skills_practice' THEN credited_minutes ELSE 0 END),
       SUM(pending_minutes)
FROM study_totals GROUP BY doctor_id;
