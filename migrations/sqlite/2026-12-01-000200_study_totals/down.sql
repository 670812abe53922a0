DROP INDEX doctors_region_id;
DROP TABLE study_doctor_totals;
DROP TABLE study_totals;
