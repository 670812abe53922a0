-- A paper (attempts.paper, ~30 KB of JSON for 50 items) was compressed with pglz, the
-- default, on every start: 17% of PostgreSQL's time in the province exam's wave of
-- starts (issue 14, measured with perf). lz4 compresses about ten times faster; where
-- PostgreSQL was built without it, the paper is kept out of line uncompressed.
-- Existing papers stay as they are; new ones use the new method.
DO $$
BEGIN
    ALTER TABLE attempts ALTER COLUMN paper SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    ALTER TABLE attempts ALTER COLUMN paper SET STORAGE EXTERNAL;
END $$;
