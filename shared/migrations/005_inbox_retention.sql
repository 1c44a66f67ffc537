-- The inbox keeps a handled event's id only as long as a redelivery of it can come
-- (shared/events/inbox_sweeper.py deletes older rows). The sweep finds them by age: a BRIN index,
-- a few pages for the whole table, because rows are appended in processed_at order, and almost
-- free to keep up on each insert (a B-tree would be a second random write per event).
CREATE INDEX inbox_processed_at ON inbox USING brin (processed_at);
