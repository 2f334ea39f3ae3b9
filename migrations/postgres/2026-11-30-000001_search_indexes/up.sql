-- Text search (`?q=`) at scale: a substring search (LIKE '%…%') of services and people must not
-- read every row. pg_trgm's GIN indexes answer it from three-character pieces (a trusted
-- extension since PostgreSQL 13: the database's owner may create it). The operator class is
-- named with the schema the extension lives in, wherever an earlier install put it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DO $$
DECLARE
    trgm_schema TEXT := (SELECT n.nspname FROM pg_extension e
        JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm');
BEGIN
    EXECUTE format('CREATE INDEX services_search ON services USING gin (search_text %I.gin_trgm_ops)', trgm_schema);
    EXECUTE format('CREATE INDEX people_search ON people USING gin (search_text %I.gin_trgm_ops)', trgm_schema);
END;
$$;
-- A scope's audit events are collected per kind of object and paged by id (db::audit).
DROP INDEX audit_events_object;
CREATE INDEX audit_events_object ON audit_events (object_type, object_id, id);
DROP INDEX audit_events_portfolio;
CREATE INDEX audit_events_portfolio ON audit_events (portfolio_id, id);
