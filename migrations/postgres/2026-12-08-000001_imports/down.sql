CREATE OR REPLACE FUNCTION forvaltning_audit_trails_coverage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    contracts BIGINT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        contracts := ARRAY[NEW.contract_id];
    ELSIF TG_OP = 'DELETE' THEN
        contracts := ARRAY[OLD.contract_id];
    ELSE
        contracts := ARRAY[OLD.contract_id, NEW.contract_id];
    END IF;
    PERFORM forvaltning_audit_trails_refile(ARRAY(
        SELECT id FROM audit_events WHERE object_type = 'contract' AND object_id = ANY(contracts)));
    RETURN NULL;
END;
$$;
ALTER TABLE audit_events DROP COLUMN import_id;
DROP TABLE imports;
