-- A count of the changes that alter what a caller may do: a role assignment made, changed or
-- ended; a person's sub changed, a name or e-mail filled in, a person removed; a service moved
-- to another portfolio or removed (a TJF's scope follows their service's portfolio). Kept by
-- triggers in the writing transaction, so that a change and its count commit together,
-- whoever writes (this service, another instance, an operator's SQL). The cache of callers
-- (db::callers) keeps a caller only as long as this number stays what it was when the caller
-- was read: a revoked role is seen by the very next request, on every instance.
--
-- Counted like the rows of the large tables: each change appends a row to row_count_changes
-- (insert-only, so that serializable writers never conflict on a shared counter), the
-- background fold adds them to row_counts, and the view row_totals reads both in one
-- statement. The number only grows, by one for each change committed.
INSERT INTO row_counts (table_name, n) VALUES ('caller_changes', 0);
CREATE FUNCTION forvaltning_caller_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO row_count_changes (table_name, n) VALUES ('caller_changes', 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER role_assignments_caller_change AFTER INSERT OR UPDATE OR DELETE ON role_assignments
    FOR EACH ROW EXECUTE FUNCTION forvaltning_caller_changed();
CREATE TRIGGER people_caller_update AFTER UPDATE ON people FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.sub IS DISTINCT FROM NEW.sub
          OR (OLD.name IS NULL) <> (NEW.name IS NULL) OR (OLD.email IS NULL) <> (NEW.email IS NULL))
    EXECUTE FUNCTION forvaltning_caller_changed();
CREATE TRIGGER people_caller_delete AFTER DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION forvaltning_caller_changed();
CREATE TRIGGER services_caller_move AFTER UPDATE ON services FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.portfolio_id IS DISTINCT FROM NEW.portfolio_id)
    EXECUTE FUNCTION forvaltning_caller_changed();
CREATE TRIGGER services_caller_delete AFTER DELETE ON services
    FOR EACH ROW EXECUTE FUNCTION forvaltning_caller_changed();
