DROP TABLE audit_events;
DROP TABLE role_assignments;
DROP TABLE services;
DROP TABLE portfolios;
DROP TABLE people;
