DROP INDEX events_unpositioned;
DROP INDEX events_position;
ALTER TABLE events DROP COLUMN position;
