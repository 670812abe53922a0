ALTER TABLE questions DROP COLUMN excludes;
ALTER TABLE questions DROP COLUMN tcm;
ALTER TABLE questions DROP COLUMN frame;
