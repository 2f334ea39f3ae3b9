ALTER TABLE events DROP COLUMN import_id;
