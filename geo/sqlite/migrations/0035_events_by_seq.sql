-- The fields the stats group by, keyed by seq: the stats of words that the
-- full-text index alone selects (ftsCount) look each match up here rather
-- than in the events table, whose rows are ten times wider (a million
-- generated events, an actor's word and a quote's word, 23,892 matches:
-- 150 ms against 90 in the sqlite3 module of Go, warm, and a 30 MB index
-- against the table's 380 MB when cold). Its build adds about 0.7 s to
-- a million events' import.
CREATE INDEX events_by_seq ON events (seq, event_type, country_code, event_date);
