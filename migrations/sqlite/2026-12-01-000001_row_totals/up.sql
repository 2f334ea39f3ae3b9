-- The exact row count of a table (the folded total and the changes not folded yet) as a view,
-- so that reading it is a plain typed query whose prepared statement the connection keeps
-- (a literal SQL fragment was parsed and planned again on every list's first page).
CREATE VIEW row_totals AS
SELECT r.table_name AS table_name,
       CAST(r.n + (SELECT COALESCE(SUM(c.n), 0) FROM row_count_changes c
                   WHERE c.table_name = r.table_name) AS BIGINT) AS n
FROM row_counts r;
