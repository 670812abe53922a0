DROP TABLE attempt_items;
DROP TABLE attempt_answers;
DROP TABLE attempts;
DROP TABLE exams;
DROP TABLE questions;
