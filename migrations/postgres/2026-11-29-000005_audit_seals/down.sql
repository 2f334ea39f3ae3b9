DROP TRIGGER audit_seals_no_truncate ON audit_seals;
DROP TRIGGER audit_seals_append_only ON audit_seals;
DROP TRIGGER audit_events_no_truncate ON audit_events;
DROP TRIGGER audit_events_append_only ON audit_events;
DROP FUNCTION forvaltning_append_only();
DROP TABLE audit_seals;
