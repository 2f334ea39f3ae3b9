DROP TABLE exchange_rates;
ALTER TABLE services DROP COLUMN security_reviewed_at;
ALTER TABLE services DROP COLUMN security_availability;
ALTER TABLE services DROP COLUMN security_integrity;
ALTER TABLE services DROP COLUMN security_confidentiality;
ALTER TABLE services DROP COLUMN documentation_reviewed_at;
ALTER TABLE services DROP COLUMN catalog_reviewed_at;
ALTER TABLE services DROP COLUMN self_produced;
