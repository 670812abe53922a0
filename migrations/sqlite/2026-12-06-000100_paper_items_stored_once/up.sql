-- Each drawn item's content (stem, options in the bank's order, answer, explanation) is
-- kept once, keyed by the hash of its JSON; a paper stores per item only a reference to
-- it with the candidate's option order, points and blueprint line (src/exams/rules/stored.rs).
-- 20,000 papers of 50 items share a few hundred contents; whole, each paper was ~30 KB.
-- Papers stored whole before this stay as they are and read as before.
CREATE TABLE paper_items (
    hash TEXT PRIMARY KEY NOT NULL,
    body TEXT NOT NULL
);
