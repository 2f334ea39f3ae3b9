-- An event's place in the stream (`position`, the `id` readers see) is given in commit order,
-- so that a reader keeping the last one it saw misses nothing. SQLite commits one writer at a
-- time, in id order: the position is the id, set as the row is inserted.
ALTER TABLE events ADD COLUMN position BIGINT;
UPDATE events SET position = id;
CREATE UNIQUE INDEX events_position ON events (position);
CREATE TRIGGER events_position AFTER INSERT ON events BEGIN
    UPDATE events SET position = new.id WHERE id = new.id;
END;
