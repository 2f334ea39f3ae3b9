DROP TRIGGER events_position;
DROP INDEX events_position;
ALTER TABLE events DROP COLUMN position;
