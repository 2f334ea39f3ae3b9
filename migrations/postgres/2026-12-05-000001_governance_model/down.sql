ALTER TABLE audit_events DROP COLUMN governance_model;
DROP TABLE governance_models;
CREATE UNIQUE INDEX role_assignments_one_active_service_owner
    ON role_assignments (portfolio_id) WHERE role = 'service_owner' AND ended_at IS NULL;
