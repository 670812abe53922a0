DROP INDEX doctors_page;
DROP INDEX doctors_count;
ALTER TABLE doctors DROP COLUMN progress_bin;
ALTER TABLE doctors DROP COLUMN behind_from;
