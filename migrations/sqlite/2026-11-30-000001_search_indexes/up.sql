-- Text search (`?q=`) at scale: a substring search of services and people must not read every
-- row. FTS5's trigram tokenizer indexes every three-character piece of the (already lowercased)
-- search text; a query of three characters or more is answered from the index (see
-- db::search), a shorter one still scans. External-content tables: the text lives once, in
-- the table itself, and triggers keep the index in step with every write.
CREATE VIRTUAL TABLE services_search USING fts5(
    search_text, content = 'services', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER services_search_insert AFTER INSERT ON services BEGIN
    INSERT INTO services_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER services_search_delete AFTER DELETE ON services BEGIN
    INSERT INTO services_search (services_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER services_search_update AFTER UPDATE OF search_text ON services BEGIN
    INSERT INTO services_search (services_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO services_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
INSERT INTO services_search (services_search) VALUES ('rebuild');

CREATE VIRTUAL TABLE people_search USING fts5(
    search_text, content = 'people', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER people_search_insert AFTER INSERT ON people BEGIN
    INSERT INTO people_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER people_search_delete AFTER DELETE ON people BEGIN
    INSERT INTO people_search (people_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER people_search_update AFTER UPDATE OF search_text ON people BEGIN
    INSERT INTO people_search (people_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO people_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
INSERT INTO people_search (people_search) VALUES ('rebuild');
