-- PostgreSQL only (the papers' TOAST compression); SQLite stores a paper as it is. The
-- version exists on both backends, as every migration does.
SELECT 1;
