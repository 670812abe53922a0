-- Back to DOUBLE PRECISION points (tenths ÷ 10) and exams without a status: a withdrawn
-- exam becomes an ordinary one again (the old schema cannot say otherwise).
ALTER TABLE attempt_items
    ALTER COLUMN points TYPE DOUBLE PRECISION USING points / 10.0,
    ALTER COLUMN max_points TYPE DOUBLE PRECISION USING max_points / 10.0;

ALTER TABLE attempts
    DROP CONSTRAINT attempts_submitted_by_check,
    ALTER COLUMN score TYPE DOUBLE PRECISION USING score / 10.0,
    ALTER COLUMN max_score TYPE DOUBLE PRECISION USING max_score / 10.0;

ALTER TABLE exams
    DROP COLUMN status,
    ALTER COLUMN pass_score TYPE DOUBLE PRECISION USING pass_score / 10.0,
    ALTER COLUMN max_score TYPE DOUBLE PRECISION USING max_score / 10.0;
