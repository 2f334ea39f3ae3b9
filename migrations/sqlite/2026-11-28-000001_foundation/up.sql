-- Foundation: people, portfolios, services, role assignments, audit events.
CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sub TEXT NOT NULL UNIQUE,
    name TEXT,
    email TEXT,
    search_text TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE portfolios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    retired_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    portfolio_id BIGINT REFERENCES portfolios (id),
    lifecycle TEXT NOT NULL DEFAULT 'proposed'
        CHECK (lifecycle IN ('proposed', 'established', 'in_operation', 'decommissioning', 'decommissioned')),
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
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX services_portfolio ON services (portfolio_id);
CREATE INDEX services_lifecycle ON services (lifecycle);

CREATE TABLE role_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES people (id),
    role TEXT NOT NULL,
    portfolio_id BIGINT REFERENCES portfolios (id),
    service_id BIGINT REFERENCES services (id),
    delegations TEXT NOT NULL DEFAULT '',
    accepted_at TIMESTAMP,
    created_by TEXT NOT NULL,
    ended_at TIMESTAMP,
    ended_by TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (portfolio_id IS NULL OR service_id IS NULL)
);
CREATE INDEX role_assignments_person ON role_assignments (person_id);
CREATE INDEX role_assignments_portfolio ON role_assignments (portfolio_id);
CREATE INDEX role_assignments_service ON role_assignments (service_id);
-- Guidelines 3.1: one service owner (TÄ) per portfolio. The index makes it hold under races.
CREATE UNIQUE INDEX role_assignments_one_active_service_owner
    ON role_assignments (portfolio_id) WHERE role = 'service_owner' AND ended_at IS NULL;
CREATE UNIQUE INDEX role_assignments_no_active_duplicate
    ON role_assignments (person_id, role, COALESCE(portfolio_id, 0), COALESCE(service_id, 0))
    WHERE ended_at IS NULL;

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TIMESTAMP NOT NULL,
    actor_sub TEXT NOT NULL,
    actor_roles TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    portfolio_id BIGINT,
    before_state TEXT,
    after_state TEXT,
    request_id TEXT
);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);
CREATE INDEX audit_events_actor ON audit_events (actor_sub);
CREATE INDEX audit_events_occurred ON audit_events (occurred_at);
CREATE INDEX audit_events_portfolio ON audit_events (portfolio_id);
