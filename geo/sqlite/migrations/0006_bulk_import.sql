-- Imported events (origin other than 'extracted') get their R*Tree and
-- full-text rows from the import itself, one statement per batch, instead
-- of from a trigger per row: FTS5 writes its pending rows to disk at every
-- statement savepoint, and a row trigger made that once per event, most of
-- a bulk import's time (Store.Import).
DROP TRIGGER events_rtree_insert;
CREATE TRIGGER events_rtree_insert AFTER INSERT ON events WHEN new.origin = 'extracted' BEGIN
	INSERT INTO events_rtree (seq, min_lon, max_lon, min_lat, max_lat)
	VALUES (new.seq, new.lon, new.lon, new.lat, new.lat);
END;

DROP TRIGGER events_fts_insert;
CREATE TRIGGER events_fts_insert AFTER INSERT ON events WHEN new.origin = 'extracted' BEGIN
	INSERT INTO events_fts (rowid, actors, quote) VALUES (new.seq, new.actors_folded, new.quote_folded);
END;

DROP TRIGGER events_fts_update;
CREATE TRIGGER events_fts_update AFTER UPDATE OF actors_folded, quote_folded ON events BEGIN
	DELETE FROM events_fts WHERE rowid = old.seq;
	INSERT INTO events_fts (rowid, actors, quote)
	SELECT new.seq, new.actors_folded, new.quote_folded WHERE new.origin = 'extracted';
END;

-- A large import drops the events table's secondary indexes and builds them
-- again at its end (one sort each instead of a million random inserts);
-- their definitions wait here meanwhile, so that a store opened after an
-- import that died half-way builds them again (Store.DeferIndexes).
CREATE TABLE deferred_indexes (
	name TEXT PRIMARY KEY,
	sql  TEXT NOT NULL
) STRICT;
