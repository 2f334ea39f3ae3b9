ALTER TABLE services DROP COLUMN it_assessment;
DROP TABLE architecture_reviews;
DROP TABLE dependency_graph;
DROP TABLE system_dependencies;
DROP TABLE service_dependencies;
DROP TABLE information_systems;
