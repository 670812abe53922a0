-- The progress table filters and counts from one covering index of doctors (issue 14 §4):
-- each doctor's standing on the program's pace, kept by the ledger's write path
-- (src/study/store/standing.rs) beside the totals it follows from.
-- behind_from: the first day the doctor is behind schedule with hours not met (the
-- pace only rises with the date, so "behind today" is behind_from <= today); NULL when
-- never (hours met, or no calendar). progress_bin: the chart's fifth, 0–5 (5: hours met).
-- -1 means "not computed yet": the pace is float arithmetic SQL cannot reproduce exactly,
-- so the rows this migration adds are computed by the server at start (and by every
-- write of a doctor), not here.
ALTER TABLE doctors ADD COLUMN behind_from DATE;
ALTER TABLE doctors ADD COLUMN progress_bin INTEGER NOT NULL DEFAULT -1;

-- Everything the table's count, chart and name search read, so they never visit the rows:
-- one range per region of the scope (regions drive the join by path).
CREATE INDEX doctors_count ON doctors (region_code, status, program_id, behind_from, progress_bin, name);
-- A page in (region code, id) order, its filters checked in the index before a row is read.
CREATE INDEX doctors_page ON doctors (region_code, id, status, program_id, behind_from, name);
