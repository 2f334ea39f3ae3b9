DROP INDEX needs_reference;
ALTER TABLE needs DROP COLUMN reference;
