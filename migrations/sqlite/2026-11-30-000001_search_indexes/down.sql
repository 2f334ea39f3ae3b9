DROP TRIGGER people_search_update;
DROP TRIGGER people_search_delete;
DROP TRIGGER people_search_insert;
DROP TABLE people_search;
DROP TRIGGER services_search_update;
DROP TRIGGER services_search_delete;
DROP TRIGGER services_search_insert;
DROP TABLE services_search;
