-- A tamper-evident audit trail: events are append-only, and a sealer chains committed events
-- in id order a moment after they commit (each seal: the hash of its predecessor's seal and of
-- the event's canonical content), so no write waits on one chain tail. `forvaltning audit
-- verify` walks the chain. Seals are append-only too.
CREATE TABLE audit_seals (
    event_id BIGINT PRIMARY KEY,
    previous_hash TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    sealed_at TIMESTAMP NOT NULL
);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;
CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;
