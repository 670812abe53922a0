DROP TABLE evidence_files;
DROP TABLE study_records;
DROP TABLE rotations;
DROP TABLE placements;
DROP TABLE session_instructors;
DROP TABLE sessions;
DROP TABLE platform_accounts;
DROP TABLE courses;
