-- The event stream (integrators): every audited change is also an event, written by
-- db::audit::record in the same transaction, for systems that follow changes
-- (GET /api/v1/events?after=<id>). SQLite has one writer at a time, so ids are committed in
-- order and `txid` stays 0 (PostgreSQL uses it to hold back events of transactions that may
-- still commit before earlier ids).
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    txid BIGINT NOT NULL DEFAULT 0,
    event_type TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    portfolio_id BIGINT,
    data TEXT
);
CREATE INDEX events_object ON events (object_type, object_id, id);
CREATE INDEX events_portfolio ON events (portfolio_id, id);
