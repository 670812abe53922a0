-- The progress table's count and chart from a maintained tally, and its name search from
-- a maintained index of name grams (issue 14 §4), both kept by triggers on `doctors` so
-- every path that writes a doctor (HTTP, import, CLI, bulk SQL) keeps them right.

-- Doctors per (county, status, program, first day behind, chart fifth). Keyed by the
-- county (`doctors.county_code`, the county of `region_code`) and not by the village: the
-- first day behind is a day, nearly unique per doctor, so a per-village tally would hold
-- about one row per doctor; per county it holds one row per distinct day. A scope of a
-- county or above sums its counties' rows; a smaller scope is small enough to count from
-- `doctors_count` (src/study/store/tally.rs). behind_from: 9999-12-31 for "never" (NULL
-- in doctors; a key has no NULL). Rows whose n falls to 0 are kept (a later doctor of the
-- same key reuses them; the readers sum n).
CREATE TABLE progress_tally (
    county_code  TEXT NOT NULL,
    status       TEXT NOT NULL,
    program_id   BIGINT NOT NULL,
    behind_from  DATE NOT NULL,
    progress_bin INTEGER NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (county_code, status, program_id, behind_from, progress_bin)
);

INSERT INTO progress_tally (county_code, status, program_id, behind_from, progress_bin, n)
SELECT county_code, status, program_id, COALESCE(behind_from, DATE '9999-12-31'), progress_bin, COUNT(*)
FROM doctors GROUP BY county_code, status, program_id, COALESCE(behind_from, DATE '9999-12-31'), progress_bin;

CREATE FUNCTION progress_tally_add(county TEXT, st TEXT, program BIGINT, behind DATE, bin INTEGER, delta BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO progress_tally AS t (county_code, status, program_id, behind_from, progress_bin, n)
    VALUES (county, st, program, COALESCE(behind, DATE '9999-12-31'), bin, delta)
    ON CONFLICT (county_code, status, program_id, behind_from, progress_bin)
    DO UPDATE SET n = t.n + EXCLUDED.n;
END $$;

CREATE FUNCTION progress_tally_doctors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM progress_tally_add(OLD.county_code, OLD.status, OLD.program_id, OLD.behind_from, OLD.progress_bin, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM progress_tally_add(NEW.county_code, NEW.status, NEW.program_id, NEW.behind_from, NEW.progress_bin, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER progress_tally_insert_delete AFTER INSERT OR DELETE ON doctors
FOR EACH ROW EXECUTE FUNCTION progress_tally_doctors();
CREATE TRIGGER progress_tally_update
AFTER UPDATE OF county_code, status, program_id, behind_from, progress_bin ON doctors
FOR EACH ROW WHEN (OLD.county_code IS DISTINCT FROM NEW.county_code OR OLD.status IS DISTINCT FROM NEW.status
  OR OLD.program_id IS DISTINCT FROM NEW.program_id OR OLD.behind_from IS DISTINCT FROM NEW.behind_from
  OR OLD.progress_bin IS DISTINCT FROM NEW.progress_bin)
EXECUTE FUNCTION progress_tally_doctors();

-- The name search's postings: each distinct character and each distinct pair of adjacent
-- characters of a doctor's name (lower-cased as the database's lower() does, so a search
-- for "A" finds "a" too and the final LIKE decides), one row per (gram, doctor). A search
-- reads the postings of its rarest gram and checks the full LIKE on those doctors only.
CREATE TABLE doctor_name_grams (
    gram      TEXT NOT NULL,
    doctor_id BIGINT NOT NULL,
    PRIMARY KEY (gram, doctor_id)
);
CREATE INDEX doctor_name_grams_doctor ON doctor_name_grams (doctor_id);

-- Character positions 1..256, as on SQLite (whose trigger bodies may not use a recursive
-- WITH), so both backends index the same grams: names are at most 30 characters
-- (roster::rules::MAX_NAME_CHARS), and `cunyi check ledger` reports any doctor whose
-- grams differ.
CREATE TABLE name_gram_positions (
    k INTEGER PRIMARY KEY NOT NULL
);
INSERT INTO name_gram_positions (k) SELECT generate_series(1, 256);

INSERT INTO doctor_name_grams (gram, doctor_id)
SELECT DISTINCT lower(substr(d.name, p.k, 1)), d.id FROM doctors d JOIN name_gram_positions p ON p.k <= length(d.name)
UNION
SELECT DISTINCT lower(substr(d.name, p.k, 2)), d.id FROM doctors d JOIN name_gram_positions p ON p.k < length(d.name);

CREATE FUNCTION doctor_name_grams_doctors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM doctor_name_grams WHERE doctor_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO doctor_name_grams (gram, doctor_id)
        SELECT lower(substr(NEW.name, k, 1)), NEW.id FROM name_gram_positions WHERE k <= length(NEW.name)
        UNION
        SELECT lower(substr(NEW.name, k, 2)), NEW.id FROM name_gram_positions WHERE k < length(NEW.name)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER doctor_name_grams_insert_delete AFTER INSERT OR DELETE ON doctors
FOR EACH ROW EXECUTE FUNCTION doctor_name_grams_doctors();
CREATE TRIGGER doctor_name_grams_update AFTER UPDATE OF name, id ON doctors
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.id IS DISTINCT FROM NEW.id)
EXECUTE FUNCTION doctor_name_grams_doctors();
