-- Rejected services have no state to go back to; they become proposals again.
UPDATE services SET lifecycle = 'proposed' WHERE lifecycle = 'rejected';
ALTER TABLE services DROP COLUMN catalog_search_text;
ALTER TABLE services DROP COLUMN rejection_reason;
ALTER TABLE services DROP CONSTRAINT services_lifecycle_check;
ALTER TABLE services ADD CONSTRAINT services_lifecycle_check
    CHECK (lifecycle IN ('proposed', 'established', 'in_operation', 'decommissioning', 'decommissioned'));
