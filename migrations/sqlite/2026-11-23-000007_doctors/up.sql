-- Village doctors in training (学员). Never deleted: a doctor who leaves the post or dies
-- keeps the record with a status. The ID-card number is stored encrypted (AES-256-GCM);
-- `id_number_index` is a keyed hash for lookup and uniqueness, `id_number_masked` what
-- pages show (370402********1234).
CREATE TABLE doctors (
    id INTEGER PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    id_number_enc     TEXT NOT NULL,
    id_number_index   TEXT NOT NULL UNIQUE,
    id_number_masked  TEXT NOT NULL,
    phone             TEXT NOT NULL,
    gender            TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    birth_date        DATE NOT NULL,
    education         TEXT NOT NULL CHECK (education IN ('junior_high', 'secondary', 'college', 'bachelor', 'master')),
    qualification     TEXT NOT NULL CHECK (qualification IN ('village_doctor_cert', 'assistant_physician', 'physician', 'none')),
    region_code       TEXT NOT NULL REFERENCES regions (code),
    -- The county-level district of region_code, kept for quota counts and grouping.
    county_code       TEXT NOT NULL REFERENCES regions (code),
    clinic_id         BIGINT REFERENCES organizations (id),
    program_id        BIGINT NOT NULL REFERENCES programs (id),
    cohort_year       INTEGER NOT NULL,
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left_post', 'deceased')),
    status_changed_on DATE,
    status_note       TEXT,
    user_id           BIGINT UNIQUE REFERENCES users (id),
    created_by        BIGINT REFERENCES users (id),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX doctors_region_code ON doctors (region_code);
CREATE INDEX doctors_quota ON doctors (program_id, county_code, cohort_year);
CREATE INDEX doctors_name ON doctors (name);

-- Instructors (师资、带教老师、下沉专家), each with an affiliation and usually an account.
CREATE TABLE instructors (
    id INTEGER PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    phone             TEXT,
    id_number_enc     TEXT,
    id_number_index   TEXT UNIQUE,
    id_number_masked  TEXT,
    organization_id   BIGINT REFERENCES organizations (id),
    title             TEXT,
    specialty         TEXT,
    region_code       TEXT NOT NULL REFERENCES regions (code),
    user_id           BIGINT UNIQUE REFERENCES users (id),
    active            BOOLEAN NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX instructors_region_code ON instructors (region_code);
