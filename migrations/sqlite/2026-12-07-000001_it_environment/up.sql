-- The IT environment (it-miljö): information systems, what services and systems depend on,
-- and the management group's reviews of the architecture and the environment.
CREATE TABLE information_systems (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('application', 'component', 'network', 'infrastructure', 'data_store', 'external_service')),
    description TEXT NOT NULL DEFAULT '',
    lifecycle TEXT NOT NULL CHECK (lifecycle IN ('planned', 'in_use', 'phasing_out', 'retired')),
    hosting TEXT NOT NULL CHECK (hosting IN ('sunet', 'supplier', 'cloud', 'other')),
    supplier_id BIGINT REFERENCES organizations (id),
    supplier_contract_id BIGINT REFERENCES contracts (id),
    responsible TEXT,
    security_confidentiality INTEGER CHECK (security_confidentiality BETWEEN 1 AND 4),
    security_integrity INTEGER CHECK (security_integrity BETWEEN 1 AND 4),
    security_availability INTEGER CHECK (security_availability BETWEEN 1 AND 4),
    -- A JSON array of {"system", "ref"}: where the detailed inventory (NetBox, Backstage) keeps it.
    external_refs TEXT NOT NULL DEFAULT '[]',
    reviewed_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP,
    search_text TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((lifecycle = 'retired') = (retired_at IS NOT NULL)),
    CHECK (supplier_contract_id IS NULL OR supplier_id IS NOT NULL)
);
CREATE INDEX information_systems_kind ON information_systems (kind);
CREATE INDEX information_systems_lifecycle ON information_systems (lifecycle);
CREATE INDEX information_systems_supplier ON information_systems (supplier_id);
CREATE INDEX information_systems_responsible ON information_systems (responsible);

-- A service depends on a system, with a criticality.
CREATE TABLE service_dependencies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES services (id),
    information_system_id BIGINT NOT NULL REFERENCES information_systems (id),
    criticality TEXT NOT NULL CHECK (criticality IN ('critical', 'important', 'supporting')),
    note TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (service_id, information_system_id)
);
CREATE INDEX service_dependencies_system ON service_dependencies (information_system_id);

-- A system depends on another; the service keeps them free of cycles.
CREATE TABLE system_dependencies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    information_system_id BIGINT NOT NULL REFERENCES information_systems (id),
    depends_on_id BIGINT NOT NULL REFERENCES information_systems (id),
    note TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (information_system_id, depends_on_id),
    CHECK (information_system_id <> depends_on_id)
);
CREATE INDEX system_dependencies_depends_on ON system_dependencies (depends_on_id);

-- The generation of the dependency graph: every dependency written or removed moves it in the
-- same transaction, so that an instance's copy of the graph in memory is known to be current.
CREATE TABLE dependency_graph (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO dependency_graph (id, generation) VALUES (1, 0);

-- The management group reviewed the FTA and the IT environment (riktlinjerna 4.1).
CREATE TABLE architecture_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    note TEXT,
    reviewed_by TEXT NOT NULL,
    reviewed_at TIMESTAMP NOT NULL,
    information_systems BIGINT NOT NULL,
    services BIGINT NOT NULL
);
CREATE INDEX architecture_reviews_reviewed_at ON architecture_reviews (reviewed_at);

-- What the management group weighed of the IT environment when it established the service:
-- a JSON object {"summary", "information_system_ids"}.
ALTER TABLE services ADD COLUMN it_assessment TEXT;
