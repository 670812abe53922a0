DROP TABLE instructors;
DROP TABLE doctors;
