-- The governance model is data: "one TÄ per portfolio" is the model's max_per_place, held by
-- the write path for any role, so the index written for that one role goes.
DROP INDEX role_assignments_one_active_service_owner;

-- Every model that has been in force, by the SHA-256 of its canonical form (document control:
-- which rules applied to a decision can be answered years later).
CREATE TABLE governance_models (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    document TEXT NOT NULL,
    first_loaded_at TIMESTAMP NOT NULL
);

-- The model that authorised each decision (none before this migration).
ALTER TABLE audit_events ADD COLUMN governance_model TEXT;
