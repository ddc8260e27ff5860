-- The first schema: articles with their text, events with every field of
-- geo.Event and a PostGIS point, and the data version. Tables are created in
-- the store's schema (first on the search_path); PostGIS's types and
-- functions come from the schema PostGIS is installed in (second).

-- meta holds the data version, bumped in every ingest transaction; response
-- caches of every server instance key their entries by it.
CREATE TABLE meta (
	key   text PRIMARY KEY,
	value bigint NOT NULL
);
INSERT INTO meta (key, value) VALUES ('version', 0);

-- Ids compare byte by byte (COLLATE "C"), whatever the database's collation,
-- so that pages are in the same order as in the SQLite store.
CREATE TABLE articles (
	id             text COLLATE "C" PRIMARY KEY,
	title          text NOT NULL,
	url            text NOT NULL,
	published      text NOT NULL,        -- YYYY-MM-DD or ''
	text           text NOT NULL,        -- kept so that every article can be re-extracted
	ingested_at    timestamptz NOT NULL, -- the last ingest
	ingest_version bigint NOT NULL       -- data version of the last ingest: orders the list, newest first
);
CREATE INDEX articles_by_ingest ON articles (ingest_version DESC);

CREATE TABLE events (
	id                text COLLATE "C" PRIMARY KEY,
	article_id        text COLLATE "C" NOT NULL REFERENCES articles (id),
	geom              geometry(Point, 4326) NOT NULL,
	bound_west        double precision, -- the place's extent; all four NULL for a town
	bound_south       double precision,
	bound_east        double precision,
	bound_north       double precision,
	event_date        date, -- NULL when undated
	event_date_end    date, -- NULL when unknown: the event then ends on event_date
	time_precision    integer NOT NULL,
	event_type        text NOT NULL,
	sub_event_type    text NOT NULL,
	modality          text NOT NULL,
	actor1            text NOT NULL,
	actor2            text NOT NULL,
	fatalities        integer, -- NULL when the text gives no number
	location          text NOT NULL,
	country           text NOT NULL,
	country_code      text NOT NULL,
	admin1            text NOT NULL,
	geonameid         bigint NOT NULL,
	feature_code      text NOT NULL,
	geo_precision     integer NOT NULL,
	mention           text NOT NULL,
	quote             text NOT NULL,
	confidence        double precision NOT NULL,
	title             text NOT NULL,
	source_url        text NOT NULL,
	published         text NOT NULL,
	extractor_version text NOT NULL,
	-- Case-folded copies for the word filters, folded by the program so that
	-- both stores fold alike: actor1 and actor2 joined by a newline, and the
	-- quote.
	actors_folded     text NOT NULL,
	quote_folded      text NOT NULL,
	-- The days the event may have happened on, for date filters; NULL when
	-- undated, so that no date filter matches it.
	dates             daterange GENERATED ALWAYS AS (
		CASE WHEN event_date IS NULL THEN NULL
		ELSE daterange(event_date, coalesce(event_date_end, event_date), '[]') END) STORED
);
CREATE INDEX events_geom ON events USING gist (geom);
CREATE INDEX events_dates ON events USING gist (dates);
CREATE INDEX events_by_date ON events (event_date DESC NULLS LAST, id);
CREATE INDEX events_by_type ON events (event_type);
CREATE INDEX events_by_country ON events (country_code);
CREATE INDEX events_by_article ON events (article_id);
