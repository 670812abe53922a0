-- The progress table's count and chart from a maintained tally, and its name search from
-- a maintained index of name grams (issue 14 §4), both kept by triggers on `doctors` so
-- every path that writes a doctor (HTTP, import, CLI, bulk SQL) keeps them right.

-- Doctors per (county, status, program, first day behind, chart fifth). Keyed by the
-- county (`doctors.county_code`, the county of `region_code`) and not by the village: the
-- first day behind is a day, nearly unique per doctor, so a per-village tally would hold
-- about one row per doctor; per county it holds one row per distinct day. A scope of a
-- county or above sums its counties' rows; a smaller scope is small enough to count from
-- `doctors_count` (src/study/store/tally.rs). behind_from: 9999-12-31 for "never" (NULL
-- in doctors; a key has no NULL on PostgreSQL). Rows whose n falls to 0 are kept (a later
-- doctor of the same key reuses them; the readers sum n).
CREATE TABLE progress_tally (
    county_code  TEXT NOT NULL,
    status       TEXT NOT NULL,
    program_id   BIGINT NOT NULL,
    behind_from  DATE NOT NULL,
    progress_bin INTEGER NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (county_code, status, program_id, behind_from, progress_bin)
) WITHOUT ROWID;

INSERT INTO progress_tally (county_code, status, program_id, behind_from, progress_bin, n)
SELECT county_code, status, program_id, COALESCE(behind_from, '9999-12-31'), progress_bin, COUNT(*)
FROM doctors GROUP BY county_code, status, program_id, COALESCE(behind_from, '9999-12-31'), progress_bin;

CREATE TRIGGER progress_tally_insert AFTER INSERT ON doctors BEGIN
    INSERT OR IGNORE INTO progress_tally (county_code, status, program_id, behind_from, progress_bin, n)
    VALUES (NEW.county_code, NEW.status, NEW.program_id, COALESCE(NEW.behind_from, '9999-12-31'), NEW.progress_bin, 0);
    UPDATE progress_tally SET n = n + 1
    WHERE county_code = NEW.county_code AND status = NEW.status AND program_id = NEW.program_id
      AND behind_from = COALESCE(NEW.behind_from, '9999-12-31') AND progress_bin = NEW.progress_bin;
END;

CREATE TRIGGER progress_tally_delete AFTER DELETE ON doctors BEGIN
    UPDATE progress_tally SET n = n - 1
    WHERE county_code = OLD.county_code AND status = OLD.status AND program_id = OLD.program_id
      AND behind_from = COALESCE(OLD.behind_from, '9999-12-31') AND progress_bin = OLD.progress_bin;
END;

CREATE TRIGGER progress_tally_update
AFTER UPDATE OF county_code, status, program_id, behind_from, progress_bin ON doctors
WHEN OLD.county_code IS NOT NEW.county_code OR OLD.status IS NOT NEW.status
  OR OLD.program_id IS NOT NEW.program_id OR OLD.behind_from IS NOT NEW.behind_from
  OR OLD.progress_bin IS NOT NEW.progress_bin
BEGIN
    UPDATE progress_tally SET n = n - 1
    WHERE county_code = OLD.county_code AND status = OLD.status AND program_id = OLD.program_id
      AND behind_from = COALESCE(OLD.behind_from, '9999-12-31') AND progress_bin = OLD.progress_bin;
    INSERT OR IGNORE INTO progress_tally (county_code, status, program_id, behind_from, progress_bin, n)
    VALUES (NEW.county_code, NEW.status, NEW.program_id, COALESCE(NEW.behind_from, '9999-12-31'), NEW.progress_bin, 0);
    UPDATE progress_tally SET n = n + 1
    WHERE county_code = NEW.county_code AND status = NEW.status AND program_id = NEW.program_id
      AND behind_from = COALESCE(NEW.behind_from, '9999-12-31') AND progress_bin = NEW.progress_bin;
END;

-- The name search's postings: each distinct character and each distinct pair of adjacent
-- characters of a doctor's name (lower-cased as the database's lower() does, so a search
-- for "A" finds "a" too and the final LIKE decides), one row per (gram, doctor). A search
-- reads the postings of its rarest gram and checks the full LIKE on those doctors only.
CREATE TABLE doctor_name_grams (
    gram      TEXT NOT NULL,
    doctor_id BIGINT NOT NULL,
    PRIMARY KEY (gram, doctor_id)
) WITHOUT ROWID;
CREATE INDEX doctor_name_grams_doctor ON doctor_name_grams (doctor_id);

-- Character positions 1..256 for the triggers (a trigger body may not use a recursive
-- WITH on SQLite): names are at most 30 characters (roster::rules::MAX_NAME_CHARS), and
-- `cunyi check ledger` reports any doctor whose grams differ.
CREATE TABLE name_gram_positions (
    k INTEGER PRIMARY KEY NOT NULL
);
WITH RECURSIVE p(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM p WHERE k < 256)
INSERT INTO name_gram_positions (k) SELECT k FROM p;

INSERT OR IGNORE INTO doctor_name_grams (gram, doctor_id)
SELECT lower(substr(d.name, p.k, 1)), d.id FROM doctors d JOIN name_gram_positions p ON p.k <= length(d.name);
INSERT OR IGNORE INTO doctor_name_grams (gram, doctor_id)
SELECT lower(substr(d.name, p.k, 2)), d.id FROM doctors d JOIN name_gram_positions p ON p.k < length(d.name);

CREATE TRIGGER doctor_name_grams_insert AFTER INSERT ON doctors BEGIN
    INSERT OR IGNORE INTO doctor_name_grams (gram, doctor_id)
    SELECT lower(substr(NEW.name, k, 1)), NEW.id FROM name_gram_positions WHERE k <= length(NEW.name);
    INSERT OR IGNORE INTO doctor_name_grams (gram, doctor_id)
    SELECT lower(substr(NEW.name, k, 2)), NEW.id FROM name_gram_positions WHERE k < length(NEW.name);
END;

CREATE TRIGGER doctor_name_grams_delete AFTER DELETE ON doctors BEGIN
    DELETE FROM doctor_name_grams WHERE doctor_id = OLD.id;
END;

CREATE TRIGGER doctor_name_grams_update AFTER UPDATE OF name, id ON doctors
WHEN OLD.name IS NOT NEW.name OR OLD.id IS NOT NEW.id
BEGIN
    DELETE FROM doctor_name_grams WHERE doctor_id = OLD.id;
    INSERT OR IGNORE INTO doctor_name_grams (gram, doctor_id)
    SELECT lower(substr(NEW.name, k, 1)), NEW.id FROM name_gram_positions WHERE k <= length(NEW.name);
    INSERT OR IGNORE INTO doctor_name_grams (gram, doctor_id)
    SELECT lower(substr(NEW.name, k, 2)), NEW.id FROM name_gram_positions WHERE k < length(NEW.name);
END;
