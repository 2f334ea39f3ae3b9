-- Review of the foundation: the management group may reject a proposal (final, reason kept),
-- and the public catalogue searches its own text (name and catalogue texts) only. SQLite changes
-- a CHECK constraint by rebuilding the table (https://sqlite.org/lang_altertable.html, 'other
-- kinds of table schema changes'); the rows keep their ids, so references stay valid.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE services_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    portfolio_id BIGINT REFERENCES portfolios (id),
    lifecycle TEXT NOT NULL DEFAULT 'proposed'
        CHECK (lifecycle IN ('proposed', 'established', 'in_operation', 'decommissioning', 'decommissioned', 'rejected')),
    description TEXT NOT NULL DEFAULT '',
    documentation_url TEXT,
    support_process_established BOOLEAN NOT NULL DEFAULT FALSE,
    ordering_routine TEXT,
    last_reviewed_at TIMESTAMP,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    catalog_text TEXT,
    catalog_text_en TEXT,
    search_text TEXT NOT NULL DEFAULT '',
    lifecycle_changed_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    rejection_reason TEXT,
    -- Filled by the service (lowercased in Rust, like every search text); see db::refresh_search_texts.
    catalog_search_text TEXT NOT NULL DEFAULT ''
);
INSERT INTO services_new (id, slug, name, portfolio_id, lifecycle, description, documentation_url,
    support_process_established, ordering_routine, last_reviewed_at, published, catalog_text,
    catalog_text_en, search_text, lifecycle_changed_at, version, created_at, updated_at)
SELECT id, slug, name, portfolio_id, lifecycle, description, documentation_url,
    support_process_established, ordering_routine, last_reviewed_at, published, catalog_text,
    catalog_text_en, search_text, lifecycle_changed_at, version, created_at, updated_at
FROM services;
DROP TABLE services;
ALTER TABLE services_new RENAME TO services;
CREATE INDEX services_portfolio ON services (portfolio_id);
CREATE INDEX services_lifecycle ON services (lifecycle);
COMMIT;
PRAGMA foreign_keys = ON;
