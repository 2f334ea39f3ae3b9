-- Review of the foundation: the management group may reject a proposal (final, reason kept),
-- and the public catalogue searches its own text (name and catalogue texts) only.
ALTER TABLE services DROP CONSTRAINT services_lifecycle_check;
ALTER TABLE services ADD CONSTRAINT services_lifecycle_check
    CHECK (lifecycle IN ('proposed', 'established', 'in_operation', 'decommissioning', 'decommissioned', 'rejected'));
ALTER TABLE services ADD COLUMN rejection_reason TEXT;
-- Filled by the service (lowercased in Rust, like every search text); see db::refresh_search_texts.
ALTER TABLE services ADD COLUMN catalog_search_text TEXT NOT NULL DEFAULT '';
