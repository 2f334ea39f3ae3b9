-- Annual management plans (förvaltningsplaner) within budget frames, their activities and
-- follow-up, the approved versions they leave behind, and change requests.
CREATE TABLE budget_frames (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    portfolio_id BIGINT NOT NULL REFERENCES portfolios (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    -- SEK, in öre.
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (portfolio_id, year)
);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    portfolio_id BIGINT NOT NULL REFERENCES portfolios (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'closed')),
    -- The document's revision: 1, and one more each time an approved plan is revised.
    revision INTEGER NOT NULL DEFAULT 1,
    summary TEXT NOT NULL DEFAULT '',
    goals TEXT NOT NULL DEFAULT '',
    return_reason TEXT,
    annual_report TEXT,
    submitted_at TIMESTAMP,
    approved_at TIMESTAMP,
    approved_by TEXT,
    closed_at TIMESTAMP,
    -- Kept current with every change of activities or frame, so lists filter on it; the keys
    -- of the deviations already reported (each is reported once, guidelines 4.4 item 8).
    deviation BOOLEAN NOT NULL DEFAULT FALSE,
    reported_deviations TEXT NOT NULL DEFAULT '[]',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (portfolio_id, year)
);
CREATE INDEX plans_year ON plans (year);

CREATE TABLE plan_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id BIGINT NOT NULL REFERENCES plans (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    service_id BIGINT REFERENCES services (id),
    category TEXT NOT NULL DEFAULT 'other' CHECK (category IN ('maintenance', 'development', 'operations', 'other')),
    priority TEXT NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    planned_cost_minor BIGINT NOT NULL CHECK (planned_cost_minor >= 0),
    actual_cost_minor BIGINT CHECK (actual_cost_minor >= 0),
    outcome TEXT NOT NULL DEFAULT '',
    progress TEXT NOT NULL DEFAULT 'planned' CHECK (progress IN ('planned', 'ongoing', 'done', 'cancelled')),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_items_plan ON plan_items (plan_id);

-- Each approved revision of a plan, as it was approved (document control, FitSM GR2.4).
CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id BIGINT NOT NULL REFERENCES plans (id),
    revision INTEGER NOT NULL,
    document TEXT NOT NULL,
    approved_at TIMESTAMP,
    superseded_at TIMESTAMP NOT NULL,
    UNIQUE (plan_id, revision)
);

CREATE TABLE change_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES services (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'assessed', 'approved', 'rejected', 'released')),
    submitted_by TEXT NOT NULL,
    priority TEXT CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    estimated_cost_minor BIGINT CHECK (estimated_cost_minor >= 0),
    estimated_cost_currency TEXT,
    recommendation TEXT CHECK (recommendation IN ('approve', 'reject')),
    assessment_note TEXT,
    assessed_by TEXT,
    assessed_at TIMESTAMP,
    decision_note TEXT,
    decided_by TEXT,
    decided_at TIMESTAMP,
    released_at TIMESTAMP,
    plan_item_id BIGINT REFERENCES plan_items (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX change_requests_service ON change_requests (service_id);
CREATE INDEX change_requests_status ON change_requests (status);
