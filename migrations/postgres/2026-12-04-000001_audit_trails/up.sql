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
);
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
    SELECT r.service_id, e.id FROM role_assignments r
    JOIN audit_events e ON e.object_type = 'role_assignment' AND e.object_id = r.id
    WHERE r.service_id IS NOT NULL
    UNION ALL
    SELECT c.service_id, e.id FROM contract_services c
    JOIN audit_events e ON e.object_type = 'contract' AND e.object_id = c.contract_id
    UNION ALL
    SELECT d.service_id, e.id FROM deliveries d
    JOIN audit_events e ON e.object_type = 'delivery' AND e.object_id = d.id
    UNION ALL
    SELECT c.service_id, e.id FROM change_requests c
    JOIN audit_events e ON e.object_type = 'change_request' AND e.object_id = c.id;

-- Files these events again, by the definition.
CREATE FUNCTION forvaltning_audit_trails_refile(refiled BIGINT[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM audit_trails WHERE event_id = ANY(refiled);
    INSERT INTO audit_trails (portfolio_id, event_id)
        SELECT portfolio_id, event_id FROM audit_trail_members WHERE event_id = ANY(refiled)
        ON CONFLICT DO NOTHING;
$$;

-- A new event is filed under the portfolio it was recorded in — for every object but a
-- contract that is the portfolio the object is in now (db::audit::Change::in_portfolio; the
-- tests compare audit_trails with audit_trail_members after their writes) — and a contract's
-- under the portfolios of the services it covers. It reads no index another write inserts into
-- (the new event's own row included): under SERIALIZABLE such a read takes a predicate lock
-- on the index page every concurrent write inserts into, and concurrent writes would fail
-- each other. No ON CONFLICT either: the event is new, and no portfolio is filed twice.
CREATE FUNCTION forvaltning_audit_trails_file() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.portfolio_id IS NOT NULL THEN
        INSERT INTO audit_trails (portfolio_id, event_id) VALUES (NEW.portfolio_id, NEW.id);
    END IF;
    IF NEW.object_type = 'contract' THEN
        INSERT INTO audit_trails (portfolio_id, event_id)
            SELECT DISTINCT s.portfolio_id, NEW.id FROM contract_services c
            JOIN services s ON s.id = c.service_id
            WHERE c.contract_id = NEW.object_id AND s.portfolio_id IS NOT NULL
              AND s.portfolio_id IS DISTINCT FROM NEW.portfolio_id;
    ELSIF NEW.object_type = 'portfolio' AND NEW.object_id IS DISTINCT FROM NEW.portfolio_id THEN
        INSERT INTO audit_trails (portfolio_id, event_id) VALUES (NEW.object_id, NEW.id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_events_trails AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION forvaltning_audit_trails_file();

-- A service moved (or removed): whatever hangs off it is filed again.
CREATE FUNCTION forvaltning_audit_trails_service_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM forvaltning_audit_trails_refile(ARRAY(
            SELECT event_id FROM audit_event_services WHERE service_id IN (OLD.id, NEW.id)));
    ELSE
        PERFORM forvaltning_audit_trails_refile(ARRAY(
            SELECT event_id FROM audit_event_services WHERE service_id = OLD.id));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER services_audit_trails AFTER UPDATE ON services FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.portfolio_id IS DISTINCT FROM NEW.portfolio_id)
    EXECUTE FUNCTION forvaltning_audit_trails_service_moved();
CREATE TRIGGER services_audit_trails_delete AFTER DELETE ON services FOR EACH ROW
    EXECUTE FUNCTION forvaltning_audit_trails_service_moved();

-- A contract's coverage changed: its events are filed again.
CREATE FUNCTION forvaltning_audit_trails_coverage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    contracts BIGINT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        contracts := ARRAY[NEW.contract_id];
    ELSIF TG_OP = 'DELETE' THEN
        contracts := ARRAY[OLD.contract_id];
    ELSE
        contracts := ARRAY[OLD.contract_id, NEW.contract_id];
    END IF;
    PERFORM forvaltning_audit_trails_refile(ARRAY(
        SELECT id FROM audit_events WHERE object_type = 'contract' AND object_id = ANY(contracts)));
    RETURN NULL;
END;
$$;
CREATE TRIGGER contract_services_audit_trails AFTER INSERT OR UPDATE OR DELETE ON contract_services
    FOR EACH ROW EXECUTE FUNCTION forvaltning_audit_trails_coverage();

-- A role assignment, delivery or change request attached to another service or portfolio, or
-- removed (the API does neither; an operator's SQL might): its events are filed again.
-- TG_ARGV[0] is its object type.
CREATE FUNCTION forvaltning_audit_trails_object_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM forvaltning_audit_trails_refile(ARRAY(
            SELECT id FROM audit_events WHERE object_type = TG_ARGV[0] AND object_id IN (OLD.id, NEW.id)));
    ELSE
        PERFORM forvaltning_audit_trails_refile(ARRAY(
            SELECT id FROM audit_events WHERE object_type = TG_ARGV[0] AND object_id = OLD.id));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER role_assignments_audit_trails AFTER UPDATE ON role_assignments FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.portfolio_id IS DISTINCT FROM NEW.portfolio_id
          OR OLD.service_id IS DISTINCT FROM NEW.service_id)
    EXECUTE FUNCTION forvaltning_audit_trails_object_moved('role_assignment');
CREATE TRIGGER role_assignments_audit_trails_delete AFTER DELETE ON role_assignments FOR EACH ROW
    EXECUTE FUNCTION forvaltning_audit_trails_object_moved('role_assignment');
CREATE TRIGGER deliveries_audit_trails AFTER UPDATE ON deliveries FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.service_id IS DISTINCT FROM NEW.service_id)
    EXECUTE FUNCTION forvaltning_audit_trails_object_moved('delivery');
CREATE TRIGGER deliveries_audit_trails_delete AFTER DELETE ON deliveries FOR EACH ROW
    EXECUTE FUNCTION forvaltning_audit_trails_object_moved('delivery');
CREATE TRIGGER change_requests_audit_trails AFTER UPDATE ON change_requests FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.service_id IS DISTINCT FROM NEW.service_id)
    EXECUTE FUNCTION forvaltning_audit_trails_object_moved('change_request');
CREATE TRIGGER change_requests_audit_trails_delete AFTER DELETE ON change_requests FOR EACH ROW
    EXECUTE FUNCTION forvaltning_audit_trails_object_moved('change_request');

-- The trail recorded so far, filed once. The portfolio's own index on the trail is no longer
-- read (a scope's part "recorded in the portfolio" is in audit_trails): one index fewer to
-- write per event.
INSERT INTO audit_trails (portfolio_id, event_id)
    SELECT portfolio_id, event_id FROM audit_trail_members ON CONFLICT DO NOTHING;
DROP INDEX audit_events_portfolio;
