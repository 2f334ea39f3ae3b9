ALTER TABLE audit_events DROP COLUMN import_id;
DROP TABLE imports;
