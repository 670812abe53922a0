-- The national exam frame's segment of each question (公共卫生 / 全科医疗 / 医学人文),
-- the 中医 flag and the enemy items a paper never holds together (src/bank,
-- question_bank/README.md). Existing rows get their area's default frame.
ALTER TABLE questions ADD COLUMN frame TEXT NOT NULL DEFAULT 'general_practice'
    CHECK (frame IN ('public_health', 'general_practice', 'humanities'));
ALTER TABLE questions ADD COLUMN tcm BOOLEAN NOT NULL DEFAULT FALSE;
-- JSON array of question ids, both sides of each pair listed.
ALTER TABLE questions ADD COLUMN excludes TEXT NOT NULL DEFAULT '[]';
UPDATE questions SET frame = 'public_health' WHERE area = 'public_health';
UPDATE questions SET frame = 'humanities' WHERE area = 'policy_law';
