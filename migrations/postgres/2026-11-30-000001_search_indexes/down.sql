DROP INDEX audit_events_portfolio;
CREATE INDEX audit_events_portfolio ON audit_events (portfolio_id);
DROP INDEX audit_events_object;
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);
DROP INDEX people_search;
DROP INDEX services_search;
