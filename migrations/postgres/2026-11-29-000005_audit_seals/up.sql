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
CREATE FUNCTION forvaltning_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION forvaltning_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION forvaltning_append_only();
CREATE TRIGGER audit_seals_append_only BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION forvaltning_append_only();
CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION forvaltning_append_only();
