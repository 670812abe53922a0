-- PostgreSQL notifies other instances of account changes (auth::versions); a SQLite
-- database has one instance, which forgets its own changes. Nothing to do here.
SELECT 1;
