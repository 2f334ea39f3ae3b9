-- Contracts and customers (guidelines 4.7): connected organisations, supplier and customer
-- contracts with the services they cover, and customer deliveries.
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'supplier', 'partner')),
    org_number TEXT,
    contact_name TEXT,
    contact_email TEXT,
    notes TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organizations_kind ON organizations (kind);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('supplier', 'customer')),
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    start_date DATE NOT NULL,
    end_date DATE,
    notice_period_months INTEGER NOT NULL DEFAULT 0 CHECK (notice_period_months >= 0),
    renewal TEXT NOT NULL DEFAULT 'none' CHECK (renewal IN ('none', 'automatic', 'by_decision')),
    renewal_term_months INTEGER CHECK (renewal_term_months > 0),
    -- Money: an integer of minor units (öre) and its ISO 4217 currency; never a float.
    annual_value_minor BIGINT NOT NULL CHECK (annual_value_minor >= 0),
    currency TEXT NOT NULL,
    document_url TEXT,
    -- A JSON array of the responsible people's subs.
    responsible TEXT NOT NULL DEFAULT '[]',
    terminated_on DATE,
    termination_reason TEXT,
    -- Derived from the terms and kept current by the service (automatic renewal rolls them
    -- forward), so that lists filter and page by them in SQL.
    current_term_end DATE,
    notice_deadline DATE,
    search_text TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX contracts_organization ON contracts (organization_id);
CREATE INDEX contracts_current_term_end ON contracts (current_term_end);
CREATE INDEX contracts_notice_deadline ON contracts (notice_deadline);

CREATE TABLE contract_services (
    contract_id BIGINT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    service_id BIGINT NOT NULL REFERENCES services (id),
    share_percent INTEGER NOT NULL CHECK (share_percent BETWEEN 1 AND 100),
    PRIMARY KEY (contract_id, service_id)
);
CREATE INDEX contract_services_service ON contract_services (service_id);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES services (id),
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    contract_id BIGINT REFERENCES contracts (id),
    start_date DATE NOT NULL,
    end_date DATE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX deliveries_service ON deliveries (service_id);
CREATE INDEX deliveries_organization ON deliveries (organization_id);
CREATE INDEX deliveries_contract ON deliveries (contract_id);
CREATE INDEX deliveries_end_date ON deliveries (end_date);
