-- A portfolio's audit trail as an index kept at write time (performance issue, target 4).
--
-- What a TÄ reads of the trail (DESIGN.md §3, "audit events read: TÄ in scope") is the whole
-- history of every object now in their portfolio — a service's, what happened to it before it
-- moved here included, its role assignments', the contracts covering it, its deliveries' and
-- change requests' — and what was recorded in the portfolio. Collected at read time that is a
-- union of index lookups over the portfolio's every object: ~4 000 index entries for a page of
-- a 200-service portfolio in a million-event trail, p99 50–115 ms at c8. Here each event's
-- portfolios are written beside it, so a page is one range of (portfolio_id, event_id).
--
-- audit_trail_members is the definition (one place); triggers keep audit_trails equal to it in
-- the writing transaction, whoever writes (this service, another instance, an operator's SQL):
-- an event is filed when it is recorded, and the events of whatever hangs off a service are
-- filed again when the service moves or goes, as are a contract's when its coverage changes,
-- and an object's when it is attached to another service or portfolio.
CREATE TABLE audit_trails (
    portfolio_id BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    PRIMARY KEY (portfolio_id, event_id)
) WITHOUT ROWID;
CREATE INDEX audit_trails_event ON audit_trails (event_id);

CREATE VIEW audit_trail_members (portfolio_id, event_id) AS
    SELECT e.portfolio_id, e.id FROM audit_events e WHERE e.portfolio_id IS NOT NULL
    UNION ALL
    SELECT e.object_id, e.id FROM audit_events e WHERE e.object_type = 'portfolio'
    UNION ALL
    SELECT s.portfolio_id, e.id FROM audit_events e JOIN services s ON s.id = e.object_id
    WHERE e.object_type = 'service' AND s.portfolio_id IS NOT NULL
    UNION ALL
    SELECT r.portfolio_id, e.id FROM audit_events e JOIN role_assignments r ON r.id = e.object_id
    WHERE e.object_type = 'role_assignment' AND r.portfolio_id IS NOT NULL
    UNION ALL
    SELECT s.portfolio_id, e.id FROM audit_events e JOIN role_assignments r ON r.id = e.object_id
    JOIN services s ON s.id = r.service_id
    WHERE e.object_type = 'role_assignment' AND s.portfolio_id IS NOT NULL
    UNION ALL
    SELECT s.portfolio_id, e.id FROM audit_events e JOIN contract_services c ON c.contract_id = e.object_id
    JOIN services s ON s.id = c.service_id
    WHERE e.object_type = 'contract' AND s.portfolio_id IS NOT NULL
    UNION ALL
    SELECT s.portfolio_id, e.id FROM audit_events e JOIN deliveries d ON d.id = e.object_id
    JOIN services s ON s.id = d.service_id
    WHERE e.object_type = 'delivery' AND s.portfolio_id IS NOT NULL
    UNION ALL
    SELECT s.portfolio_id, e.id FROM audit_events e JOIN change_requests c ON c.id = e.object_id
    JOIN services s ON s.id = c.service_id
    WHERE e.object_type = 'change_request' AND s.portfolio_id IS NOT NULL;

-- The events of whatever hangs off a service: files again when the service moves.
CREATE VIEW audit_event_services (service_id, event_id) AS
    SELECT e.object_id, e.id FROM audit_events e WHERE e.object_type = 'service'
    UNION ALL
    -- CROSS JOIN: SQLite keeps this order (the object by its service, then its events).
    SELECT r.service_id, e.id FROM role_assignments r CROSS JOIN audit_events e
    WHERE e.object_type = 'role_assignment' AND e.object_id = r.id AND r.service_id IS NOT NULL
    UNION ALL
    SELECT c.service_id, e.id FROM contract_services c CROSS JOIN audit_events e
    WHERE e.object_type = 'contract' AND e.object_id = c.contract_id
    UNION ALL
    SELECT d.service_id, e.id FROM deliveries d CROSS JOIN audit_events e
    WHERE e.object_type = 'delivery' AND e.object_id = d.id
    UNION ALL
    SELECT c.service_id, e.id FROM change_requests c CROSS JOIN audit_events e
    WHERE e.object_type = 'change_request' AND e.object_id = c.id;

CREATE TRIGGER audit_events_trails AFTER INSERT ON audit_events BEGIN
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id = NEW.id;
END;

-- A service moved (or removed): whatever hangs off it is filed again.
CREATE TRIGGER services_audit_trails AFTER UPDATE ON services
WHEN OLD.id IS NOT NEW.id OR OLD.portfolio_id IS NOT NEW.portfolio_id
BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT event_id FROM audit_event_services WHERE service_id IN (OLD.id, NEW.id));
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT event_id FROM audit_event_services WHERE service_id IN (OLD.id, NEW.id));
END;
CREATE TRIGGER services_audit_trails_delete AFTER DELETE ON services BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT event_id FROM audit_event_services WHERE service_id = OLD.id);
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT event_id FROM audit_event_services WHERE service_id = OLD.id);
END;

-- A contract's coverage changed: its events are filed again.
CREATE TRIGGER contract_services_audit_trails_insert AFTER INSERT ON contract_services BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'contract' AND object_id IN (NEW.contract_id));
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'contract' AND object_id IN (NEW.contract_id));
END;
CREATE TRIGGER contract_services_audit_trails_update AFTER UPDATE ON contract_services BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'contract' AND object_id IN (OLD.contract_id, NEW.contract_id));
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'contract' AND object_id IN (OLD.contract_id, NEW.contract_id));
END;
CREATE TRIGGER contract_services_audit_trails_delete AFTER DELETE ON contract_services BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'contract' AND object_id IN (OLD.contract_id));
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'contract' AND object_id IN (OLD.contract_id));
END;

-- A role assignment, delivery or change request attached to another service or portfolio, or
-- removed (the API does neither; an operator's SQL might): its events are filed again.
CREATE TRIGGER role_assignments_audit_trails AFTER UPDATE ON role_assignments
WHEN OLD.id IS NOT NEW.id OR OLD.portfolio_id IS NOT NEW.portfolio_id OR OLD.service_id IS NOT NEW.service_id
BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'role_assignment' AND object_id IN (OLD.id, NEW.id));
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'role_assignment' AND object_id IN (OLD.id, NEW.id));
END;
CREATE TRIGGER role_assignments_audit_trails_delete AFTER DELETE ON role_assignments BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'role_assignment' AND object_id IN (OLD.id));
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'role_assignment' AND object_id IN (OLD.id));
END;
CREATE TRIGGER deliveries_audit_trails AFTER UPDATE ON deliveries
WHEN OLD.id IS NOT NEW.id OR OLD.service_id IS NOT NEW.service_id
BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'delivery' AND object_id IN (OLD.id, NEW.id));
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'delivery' AND object_id IN (OLD.id, NEW.id));
END;
CREATE TRIGGER deliveries_audit_trails_delete AFTER DELETE ON deliveries BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'delivery' AND object_id IN (OLD.id));
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'delivery' AND object_id IN (OLD.id));
END;
CREATE TRIGGER change_requests_audit_trails AFTER UPDATE ON change_requests
WHEN OLD.id IS NOT NEW.id OR OLD.service_id IS NOT NEW.service_id
BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'change_request' AND object_id IN (OLD.id, NEW.id));
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'change_request' AND object_id IN (OLD.id, NEW.id));
END;
CREATE TRIGGER change_requests_audit_trails_delete AFTER DELETE ON change_requests BEGIN
    DELETE FROM audit_trails WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'change_request' AND object_id IN (OLD.id));
    INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id IN (SELECT id FROM audit_events WHERE object_type = 'change_request' AND object_id IN (OLD.id));
END;

-- The trail recorded so far, filed once. The portfolio's own index on the trail is no longer
-- read (a scope's part "recorded in the portfolio" is in audit_trails): one index fewer to
-- write per event.
INSERT OR IGNORE INTO audit_trails (portfolio_id, event_id)
    SELECT portfolio_id, event_id FROM audit_trail_members;
DROP INDEX audit_events_portfolio;
