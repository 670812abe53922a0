-- Scores and points as INTEGER tenths of a point (value × 10, rounded half away from
-- zero, as SQLite's ROUND does), the house rule for anything people add up; exams gain
-- a status so that one created by mistake can be withdrawn (issue 13).
ALTER TABLE exams
    ALTER COLUMN pass_score TYPE INTEGER USING round((pass_score * 10)::numeric)::integer,
    ALTER COLUMN max_score TYPE INTEGER USING round((max_score * 10)::numeric)::integer,
    ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn'));

ALTER TABLE attempts
    ALTER COLUMN score TYPE INTEGER USING round((score * 10)::numeric)::integer,
    ALTER COLUMN max_score TYPE INTEGER USING round((max_score * 10)::numeric)::integer,
    ADD CONSTRAINT attempts_submitted_by_check CHECK (submitted_by IN ('candidate', 'deadline'));

ALTER TABLE attempt_items
    ALTER COLUMN points TYPE INTEGER USING round((points * 10)::numeric)::integer,
    ALTER COLUMN max_points TYPE INTEGER USING round((max_points * 10)::numeric)::integer;
