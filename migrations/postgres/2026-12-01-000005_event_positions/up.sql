-- An event's place in the stream (`position`, the `id` readers see) is given in commit order,
-- so that a reader keeping the last one it saw misses nothing. Identity values are taken at
-- insert, not at commit: a transaction may commit an event with a smaller id after one with a
-- larger id was read. So positions are given afterwards, by one sequencer at a time
-- (db::events::sequence): to the events of transactions older than every running one, in the
-- order of their transactions — no event can later join before them.
ALTER TABLE events ADD COLUMN position BIGINT;
CREATE UNIQUE INDEX events_position ON events (position);
CREATE INDEX events_unpositioned ON events (txid, id) WHERE position IS NULL;
