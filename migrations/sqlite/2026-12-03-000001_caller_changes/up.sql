-- A count of the changes that alter what a caller may do: a role assignment made, changed or
-- ended; a person's sub changed, a name or e-mail filled in, a person removed; a service moved
-- to another portfolio or removed (a TJF's scope follows their service's portfolio). Kept by
-- triggers in the writing transaction, so that a change and its count commit together,
-- whoever writes (this service, another instance, an operator's SQL). The cache of callers
-- (db::callers) keeps a caller only as long as this number stays what it was when the caller
-- was read: a revoked role is seen by the very next request. Counted like the rows of the
-- large tables (row_counts, read through the view row_totals).
INSERT INTO row_counts (table_name, n) VALUES ('caller_changes', 0);
CREATE TRIGGER role_assignments_caller_insert AFTER INSERT ON role_assignments BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'caller_changes';
END;
CREATE TRIGGER role_assignments_caller_update AFTER UPDATE ON role_assignments BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'caller_changes';
END;
CREATE TRIGGER role_assignments_caller_delete AFTER DELETE ON role_assignments BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'caller_changes';
END;
CREATE TRIGGER people_caller_update AFTER UPDATE ON people
WHEN OLD.id IS NOT NEW.id OR OLD.sub IS NOT NEW.sub
    OR (OLD.name IS NULL) <> (NEW.name IS NULL) OR (OLD.email IS NULL) <> (NEW.email IS NULL)
BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'caller_changes';
END;
CREATE TRIGGER people_caller_delete AFTER DELETE ON people BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'caller_changes';
END;
CREATE TRIGGER services_caller_move AFTER UPDATE ON services
WHEN OLD.id IS NOT NEW.id OR OLD.portfolio_id IS NOT NEW.portfolio_id
BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'caller_changes';
END;
CREATE TRIGGER services_caller_delete AFTER DELETE ON services BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'caller_changes';
END;
