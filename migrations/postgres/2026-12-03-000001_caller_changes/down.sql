DROP TRIGGER services_caller_delete ON services;
DROP TRIGGER services_caller_move ON services;
DROP TRIGGER people_caller_delete ON people;
DROP TRIGGER people_caller_update ON people;
DROP TRIGGER role_assignments_caller_change ON role_assignments;
DROP FUNCTION forvaltning_caller_changed();
DELETE FROM row_count_changes WHERE table_name = 'caller_changes';
DELETE FROM row_counts WHERE table_name = 'caller_changes';
