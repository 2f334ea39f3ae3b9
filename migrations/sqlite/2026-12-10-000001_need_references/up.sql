-- A need's own reference (the register's number, e.g. BEH-2026-014): optional, unique when given,
-- the natural key an import matches needs by.
ALTER TABLE needs ADD COLUMN reference TEXT;
CREATE UNIQUE INDEX needs_reference ON needs (reference);
