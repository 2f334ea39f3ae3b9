-- Date-driven events (contract.notice_window_opened, contract.expired, delivery.uncovered) are
-- fired once each by a periodic scan: the mark of each, e.g. "contract.expired:12:2026-12-31",
-- is inserted with its event in one transaction, and a mark that exists already fires nothing
-- (two instances scanning at once fire it once).
CREATE TABLE event_marks (
    mark TEXT PRIMARY KEY,
    event_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
