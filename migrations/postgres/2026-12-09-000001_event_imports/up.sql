-- An event caused by an import carries its id, as its audit event does.
ALTER TABLE events ADD COLUMN import_id BIGINT;
