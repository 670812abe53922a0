-- County filings to the city (Zaozhuang annex 2 §六): the annual plan, quarterly and
-- annual summaries, the annual scores; and their life-cycle history (issue 12).
CREATE TABLE reports (
    id INTEGER PRIMARY KEY NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('annual_plan', 'quarterly_summary', 'annual_summary', 'annual_scores')),
    county_code    TEXT NOT NULL REFERENCES regions (code),
    program_id     BIGINT NOT NULL REFERENCES programs (id),
    year           INTEGER NOT NULL,
    -- 1–3 for quarterly summaries, NULL otherwise.
    quarter        INTEGER CHECK (quarter BETWEEN 1 AND 4),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'returned')),
    due_on         DATE NOT NULL,
    submitted_at   TIMESTAMP,
    -- Set at each submission: after the due date, Beijing time.
    late           BOOLEAN,
    -- JSON: the figures computed from the data, refreshed while a draft.
    statistics     TEXT NOT NULL,
    statistics_at  TIMESTAMP NOT NULL,
    -- JSON: the statistics frozen at the last submission.
    snapshot       TEXT,
    narrative      TEXT NOT NULL DEFAULT '',
    -- JSON: the annual plan's body (sessions, places, groups, headcounts, budget in fen).
    plan           TEXT,
    review_comment TEXT,
    reviewed_by    BIGINT REFERENCES users (id),
    reviewed_at    TIMESTAMP,
    created_by     BIGINT REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX reports_one_per_period ON reports (kind, county_code, year, COALESCE(quarter, 0));
CREATE INDEX reports_county_year ON reports (county_code, year);

CREATE TABLE report_events (
    id INTEGER PRIMARY KEY NOT NULL,
    report_id   BIGINT NOT NULL REFERENCES reports (id),
    action      TEXT NOT NULL CHECK (action IN ('created', 'edited', 'refreshed', 'submitted', 'accepted', 'returned')),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor_id    BIGINT REFERENCES users (id),
    comment     TEXT,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX report_events_report ON report_events (report_id, id);
