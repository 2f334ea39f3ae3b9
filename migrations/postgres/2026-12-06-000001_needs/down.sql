ALTER TABLE services DROP COLUMN established_at;
ALTER TABLE organizations DROP COLUMN key_account;
DROP TABLE follow_up_needs;
DROP TABLE follow_up_services;
DROP TABLE follow_ups;
DROP TABLE need_links;
DROP TABLE need_endorsements;
DROP TABLE needs;
