DROP TABLE event_marks;
