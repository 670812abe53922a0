DROP INDEX doctors_progress;
ALTER TABLE doctors DROP COLUMN progress_bin;
ALTER TABLE doctors DROP COLUMN behind_from;
