-- The `count` of an unfiltered list without counting: a list's first page must not cost a pass
-- over the whole table (at 100,000 services PostgreSQL's count(*) alone takes 10-17 ms). Each
-- table's rows are counted in 64 slots (by id), kept by triggers in the writing transaction,
-- so the sum is exact; concurrent inserts mostly touch different slots, so they do not queue
-- on one counter row. db::row_counts reads them.
CREATE TABLE row_counts (
    table_name TEXT NOT NULL,
    slot INTEGER NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (table_name, slot)
);
CREATE FUNCTION forvaltning_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET n = n + 1 WHERE table_name = TG_TABLE_NAME AND slot = NEW.id % 64;
    ELSE
        UPDATE row_counts SET n = n - 1 WHERE table_name = TG_TABLE_NAME AND slot = OLD.id % 64;
    END IF;
    RETURN NULL;
END;
$$;
INSERT INTO row_counts (table_name, slot, n)
    WITH RECURSIVE s(slot) AS (SELECT 0 UNION ALL SELECT slot + 1 FROM s WHERE slot < 63)
    SELECT 'services', s.slot, (SELECT count(*) FROM services WHERE services.id % 64 = s.slot) FROM s;
CREATE TRIGGER services_count AFTER INSERT OR DELETE ON services
    FOR EACH ROW EXECUTE FUNCTION forvaltning_count_rows();
INSERT INTO row_counts (table_name, slot, n)
    WITH RECURSIVE s(slot) AS (SELECT 0 UNION ALL SELECT slot + 1 FROM s WHERE slot < 63)
    SELECT 'people', s.slot, (SELECT count(*) FROM people WHERE people.id % 64 = s.slot) FROM s;
CREATE TRIGGER people_count AFTER INSERT OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION forvaltning_count_rows();
INSERT INTO row_counts (table_name, slot, n)
    WITH RECURSIVE s(slot) AS (SELECT 0 UNION ALL SELECT slot + 1 FROM s WHERE slot < 63)
    SELECT 'role_assignments', s.slot, (SELECT count(*) FROM role_assignments WHERE role_assignments.id % 64 = s.slot) FROM s;
CREATE TRIGGER role_assignments_count AFTER INSERT OR DELETE ON role_assignments
    FOR EACH ROW EXECUTE FUNCTION forvaltning_count_rows();
