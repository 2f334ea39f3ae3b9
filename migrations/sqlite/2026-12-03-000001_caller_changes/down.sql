DROP TRIGGER services_caller_delete;
DROP TRIGGER services_caller_move;
DROP TRIGGER people_caller_delete;
DROP TRIGGER people_caller_update;
DROP TRIGGER role_assignments_caller_delete;
DROP TRIGGER role_assignments_caller_update;
DROP TRIGGER role_assignments_caller_insert;
DELETE FROM row_counts WHERE table_name = 'caller_changes';
