-- The first schema: articles with their text, events with every field of
-- geo.Event, an R*Tree over the event points, and the data version.

-- meta holds the data version, bumped in every ingest transaction; response
-- caches key their entries by it.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT;
INSERT INTO meta (key, value) VALUES ('version', 0);

CREATE TABLE articles (
	id             TEXT PRIMARY KEY,
	title          TEXT NOT NULL,
	url            TEXT NOT NULL,
	published      TEXT NOT NULL,    -- YYYY-MM-DD or ''
	text           TEXT NOT NULL,    -- kept so that every article can be re-extracted
	ingested_at    INTEGER NOT NULL, -- Unix microseconds of the last ingest
	ingest_version INTEGER NOT NULL  -- data version of the last ingest: orders the list, newest first
) STRICT;
CREATE INDEX articles_by_ingest ON articles (ingest_version DESC);

CREATE TABLE events (
	seq               INTEGER PRIMARY KEY, -- rowid, and the R*Tree's id
	id                TEXT NOT NULL UNIQUE,
	article_id        TEXT NOT NULL REFERENCES articles (id),
	lon               REAL NOT NULL,
	lat               REAL NOT NULL,
	bound_west        REAL, -- the place's extent; all four NULL for a town
	bound_south       REAL,
	bound_east        REAL,
	bound_north       REAL,
	event_date        TEXT, -- YYYY-MM-DD; NULL when undated, so that it sorts last
	event_date_end    TEXT, -- NULL when unknown: the event then ends on event_date
	time_precision    INTEGER NOT NULL,
	event_type        TEXT NOT NULL,
	sub_event_type    TEXT NOT NULL,
	modality          TEXT NOT NULL,
	actor1            TEXT NOT NULL,
	actor2            TEXT NOT NULL,
	fatalities        INTEGER, -- NULL when the text gives no number
	location          TEXT NOT NULL,
	country           TEXT NOT NULL,
	country_code      TEXT NOT NULL,
	admin1            TEXT NOT NULL,
	geonameid         INTEGER NOT NULL,
	feature_code      TEXT NOT NULL,
	geo_precision     INTEGER NOT NULL,
	mention           TEXT NOT NULL,
	quote             TEXT NOT NULL,
	confidence        REAL NOT NULL,
	title             TEXT NOT NULL,
	source_url        TEXT NOT NULL,
	published         TEXT NOT NULL,
	extractor_version TEXT NOT NULL,
	-- Case-folded copies for the word filters, folded by Go (SQLite's lower()
	-- only knows ASCII): actor1 and actor2 joined by a newline, and the quote.
	actors_folded     TEXT NOT NULL,
	quote_folded      TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_date ON events (event_date DESC, id);
CREATE INDEX events_by_type ON events (event_type);
CREATE INDEX events_by_country ON events (country_code);
CREATE INDEX events_by_article ON events (article_id);

-- The R*Tree stores 32-bit floats rounded outwards, so a bbox query through it
-- finds a superset; queries re-check the exact lon and lat of events.
CREATE VIRTUAL TABLE events_rtree USING rtree (seq, min_lon, max_lon, min_lat, max_lat);

CREATE TRIGGER events_rtree_insert AFTER INSERT ON events BEGIN
	INSERT INTO events_rtree (seq, min_lon, max_lon, min_lat, max_lat)
	VALUES (new.seq, new.lon, new.lon, new.lat, new.lat);
END;
CREATE TRIGGER events_rtree_update AFTER UPDATE OF lon, lat ON events BEGIN
	UPDATE events_rtree SET min_lon = new.lon, max_lon = new.lon, min_lat = new.lat, max_lat = new.lat
	WHERE seq = new.seq;
END;
CREATE TRIGGER events_rtree_delete AFTER DELETE ON events BEGIN
	DELETE FROM events_rtree WHERE seq = old.seq;
END;
