-- Webhooks (integrators): subscriptions of other systems to the event stream, each delivered
-- in event order from its own cursor (`last_event_id`), and the log of every attempt.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- JSON array of exact types or prefixes ("service.*").
    event_types TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    -- The last event handled (delivered, or not wanted); new subscriptions start at the
    -- stream's end.
    last_event_id BIGINT NOT NULL DEFAULT 0,
    -- The next attempt is due at (after a failure: backoff).
    next_attempt_at TIMESTAMP NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    -- Claimed by an instance until then (a crashed instance's claim runs out).
    lease_until TIMESTAMP,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    -- delivered | failed
    outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    response_status INTEGER,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
