DROP TABLE skill_sheets;
DROP TABLE skill_candidates;
DROP TABLE skill_examiners;
DROP TABLE skill_exam_stations;
DROP TABLE skill_exams;
DROP TABLE skill_stations;
