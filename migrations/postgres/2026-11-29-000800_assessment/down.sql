DROP TABLE certificates;
DROP TABLE completions;
DROP TABLE annual_assessments;
