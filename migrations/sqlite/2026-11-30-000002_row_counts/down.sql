DROP TRIGGER services_count_delete;
DROP TRIGGER services_count_insert;
DROP TRIGGER people_count_delete;
DROP TRIGGER people_count_insert;
DROP TRIGGER role_assignments_count_delete;
DROP TRIGGER role_assignments_count_insert;
DROP TABLE row_count_changes;
DROP TABLE row_counts;
