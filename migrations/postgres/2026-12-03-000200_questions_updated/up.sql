-- Starting an attempt checks that its exam's cached drawing pool is still the bank's
-- (src/exams/store/caches.rs: the questions' count and latest edit). With this index the
-- latest edit is one index probe and the count reads an index, instead of every start
-- scanning the question rows (issue 14: the province exam's wave of starts).
CREATE INDEX questions_updated ON questions (updated_at);
