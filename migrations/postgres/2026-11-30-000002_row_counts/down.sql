DROP TRIGGER services_count ON services;
DROP TRIGGER people_count ON people;
DROP TRIGGER role_assignments_count ON role_assignments;
DROP FUNCTION forvaltning_count_rows();
DROP TABLE row_counts;
