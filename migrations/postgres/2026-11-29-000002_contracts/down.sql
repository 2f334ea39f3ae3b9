DROP TABLE deliveries;
DROP TABLE contract_services;
DROP TABLE contracts;
DROP TABLE organizations;
