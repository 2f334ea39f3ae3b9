DROP TABLE change_requests;
DROP TABLE plan_versions;
DROP TABLE plan_items;
DROP TABLE plans;
DROP TABLE budget_frames;
