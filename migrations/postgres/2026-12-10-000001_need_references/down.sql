ALTER TABLE needs DROP COLUMN reference;
