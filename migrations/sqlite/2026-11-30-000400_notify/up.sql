-- Reminders by email (issue 12 item 5): the address a user receives them at, and the
-- outbox every mail passes through. A row is written in the same transaction as the
-- event that causes it; a sender claims due rows, sends them and records the outcome.
ALTER TABLE users ADD COLUMN email TEXT;

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    -- The same reminder is never queued twice: e.g. filing_due:370402:quarterly_summary:2026:1:7:15.
    dedup_key       TEXT NOT NULL UNIQUE,
    template        TEXT NOT NULL,
    user_id         BIGINT REFERENCES users (id),
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    -- While sending: until when the claim holds, and whose it is (a crashed sender's
    -- claim expires and the row is claimed again).
    lease_until     TIMESTAMP,
    claim           TEXT,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
