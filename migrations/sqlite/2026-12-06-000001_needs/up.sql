-- Needs (behov): a wish or requirement from a customer or user, before it is a service or a
-- change; assessed, presented to the management group, decided, and realised by what it links.
CREATE TABLE needs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    portfolio_id BIGINT REFERENCES portfolios (id),
    service_id BIGINT REFERENCES services (id),
    channel TEXT NOT NULL CHECK (channel IN ('customer_meeting', 'forum', 'survey', 'support', 'strategy', 'other')),
    source_organization_id BIGINT REFERENCES organizations (id),
    source_date DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'identified' CHECK (status IN ('identified', 'assessed', 'presented', 'decided')),
    created_by TEXT NOT NULL,
    value INTEGER CHECK (value BETWEEN 1 AND 5),
    urgency INTEGER CHECK (urgency BETWEEN 1 AND 5),
    estimated_cost_minor BIGINT CHECK (estimated_cost_minor >= 0),
    recommendation TEXT CHECK (recommendation IN ('pursue', 'defer', 'decline')),
    assessment_note TEXT,
    assessed_by TEXT,
    assessed_at TIMESTAMP,
    presented_on DATE,
    presentation_reference TEXT,
    presented_by TEXT,
    presented_at TIMESTAMP,
    outcome TEXT CHECK (outcome IN ('new_service', 'change', 'plan', 'deferred', 'declined')),
    decision_reason TEXT,
    decided_by TEXT,
    decided_at TIMESTAMP,
    endorsement_count BIGINT NOT NULL DEFAULT 0 CHECK (endorsement_count >= 0),
    search_text TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status = 'decided') = (outcome IS NOT NULL))
);
CREATE INDEX needs_status ON needs (status, created_at);
CREATE INDEX needs_portfolio ON needs (portfolio_id);
CREATE INDEX needs_service ON needs (service_id);
CREATE INDEX needs_source_organization ON needs (source_organization_id);
CREATE INDEX needs_endorsement_count ON needs (endorsement_count, id);
CREATE INDEX needs_decided_at ON needs (decided_at);

-- Another customer shares the need: once per organization.
CREATE TABLE need_endorsements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    need_id BIGINT NOT NULL REFERENCES needs (id),
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    note TEXT,
    endorsed_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (need_id, organization_id)
);
CREATE INDEX need_endorsements_organization ON need_endorsements (organization_id);

-- What realises a need: exactly one of a service, a change request, a plan activity.
CREATE TABLE need_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    need_id BIGINT NOT NULL REFERENCES needs (id),
    service_id BIGINT REFERENCES services (id),
    change_request_id BIGINT REFERENCES change_requests (id),
    plan_item_id BIGINT REFERENCES plan_items (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK ((CASE WHEN service_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN change_request_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN plan_item_id IS NULL THEN 0 ELSE 1 END) = 1),
    UNIQUE (need_id, service_id),
    UNIQUE (need_id, change_request_id),
    UNIQUE (need_id, plan_item_id)
);
CREATE INDEX need_links_service ON need_links (service_id);
CREATE INDEX need_links_change_request ON need_links (change_request_id);
CREATE INDEX need_links_plan_item ON need_links (plan_item_id);

-- Customer follow-ups: a meeting, survey, delivery review or complaint with one customer.
CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    held_on DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('meeting', 'survey', 'delivery_review', 'complaint')),
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    summary TEXT NOT NULL,
    actions TEXT,
    recorded_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX follow_ups_organization ON follow_ups (organization_id, held_on);
CREATE INDEX follow_ups_held_on ON follow_ups (held_on);

CREATE TABLE follow_up_services (
    follow_up_id BIGINT NOT NULL REFERENCES follow_ups (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    PRIMARY KEY (follow_up_id, service_id)
);
CREATE INDEX follow_up_services_service ON follow_up_services (service_id);

CREATE TABLE follow_up_needs (
    follow_up_id BIGINT NOT NULL REFERENCES follow_ups (id),
    need_id BIGINT NOT NULL REFERENCES needs (id),
    PRIMARY KEY (follow_up_id, need_id)
);

-- The key account (kundansvarig) of a customer: the `sub` of an account manager.
ALTER TABLE organizations ADD COLUMN key_account TEXT;

-- When the service was last established: a service established from now on is expected to
-- answer a need (the finding proposal_without_need); those established before are not.
ALTER TABLE services ADD COLUMN established_at TIMESTAMP;
