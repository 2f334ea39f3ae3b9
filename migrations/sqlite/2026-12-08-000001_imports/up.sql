-- Imports (onboarding): what each import of a file did, and the import an audit event was part of.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('csv', 'json')),
    imported_by TEXT NOT NULL,
    request_id TEXT,
    rows BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    -- A JSON array of {"row", "outcome", "object_id"}: what each row of the file did.
    outcomes TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL
);
CREATE INDEX imports_imported_by ON imports (imported_by);
ALTER TABLE audit_events ADD COLUMN import_id BIGINT;
