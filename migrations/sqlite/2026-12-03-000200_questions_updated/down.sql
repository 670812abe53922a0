DROP INDEX questions_updated;
