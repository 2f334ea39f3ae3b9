-- The `count` of an unfiltered list without counting: a list's first page must not cost a pass
-- over the whole table (at 100,000 services PostgreSQL's count(*) alone takes 10-17 ms). The
-- rows of each large table are counted by triggers in the writing transaction, so the count
-- is exact; db::row_counts reads it. SQLite has one writer at a time: its triggers update the
-- count itself. (PostgreSQL's appends changes instead; see its migration. The table of
-- changes exists here too, empty, so that both databases read counts the same way.)
CREATE TABLE row_counts (
    table_name TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
CREATE TABLE row_count_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    n BIGINT NOT NULL
);
INSERT INTO row_counts (table_name, n) SELECT 'services', count(*) FROM services;
CREATE TRIGGER services_count_insert AFTER INSERT ON services BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'services';
END;
CREATE TRIGGER services_count_delete AFTER DELETE ON services BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'services';
END;
INSERT INTO row_counts (table_name, n) SELECT 'people', count(*) FROM people;
CREATE TRIGGER people_count_insert AFTER INSERT ON people BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'people';
END;
CREATE TRIGGER people_count_delete AFTER DELETE ON people BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'people';
END;
INSERT INTO row_counts (table_name, n) SELECT 'role_assignments', count(*) FROM role_assignments;
CREATE TRIGGER role_assignments_count_insert AFTER INSERT ON role_assignments BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'role_assignments';
END;
CREATE TRIGGER role_assignments_count_delete AFTER DELETE ON role_assignments BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'role_assignments';
END;
