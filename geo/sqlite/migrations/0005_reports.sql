-- One event, many sources. Each article's extracted events are kept as
-- reports; the events table holds what the reports make together: one event
-- per happening, carrying the id of its earliest report (geo/merge says how
-- reports are grouped and combined).

-- reports are the events as extracted, one per article, sentence, place and
-- event, as JSON documents (geo/merge's record), with the columns that find
-- the candidates a new report may be merged with.
CREATE TABLE reports (
	id         TEXT PRIMARY KEY,
	article_id TEXT NOT NULL REFERENCES articles (id),
	event_id   TEXT NOT NULL, -- the event (in events) the report is merged into
	place_key  TEXT NOT NULL, -- geo/merge.PlaceKey
	event_type TEXT NOT NULL,
	event_date TEXT,          -- NULL when undated
	date_last  TEXT,          -- event_date_end, else event_date
	body       TEXT NOT NULL
) STRICT;
CREATE INDEX reports_candidates ON reports (place_key, event_type, event_date);
CREATE INDEX reports_by_article ON reports (article_id);
CREATE INDEX reports_by_event ON reports (event_id);

-- event_sources holds the sources of every event merged from two reports or
-- more; an event without a row is its one report.
CREATE TABLE event_sources (
	event_id     TEXT PRIMARY KEY,
	source_count INTEGER NOT NULL,
	sources      TEXT NOT NULL -- JSON list of {article_id, title, outlet, url, published, quote, fatalities}
) STRICT;
CREATE INDEX event_sources_by_count ON event_sources (source_count);

-- event_links links events that are not one happening but belong together
-- (a threat and the strike that followed it), both ways.
CREATE TABLE event_links (
	event_id   TEXT NOT NULL,
	related_id TEXT NOT NULL,
	PRIMARY KEY (event_id, related_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_links_by_related ON event_links (related_id);

-- changes is a bounded log of the events each ingest wrote or removed, at
-- the data version of that ingest, for the live stream.
CREATE TABLE changes (
	seq      INTEGER PRIMARY KEY,
	version  INTEGER NOT NULL,
	event_id TEXT NOT NULL,
	gone     INTEGER NOT NULL -- 1 when the event no longer exists
) STRICT;
CREATE INDEX changes_by_version ON changes (version);
-- Changes after this version are all in the table; older ones may be gone.
INSERT INTO meta (key, value) VALUES ('changes_from', 0);

-- The longest report span bounds the candidate lookup from below, as
-- max_span_days does for date filters.
INSERT INTO meta (key, value)
SELECT 'report_span_days', coalesce(max(julianday(event_date_end) - julianday(event_date)), 0)
FROM events;

-- The events stored so far become reports, each its own event.
INSERT INTO reports (id, article_id, event_id, place_key, event_type, event_date, date_last, body)
SELECT id, article_id, id,
	CASE WHEN geonameid != 0 THEN 'g' || geonameid ELSE printf('p%.2f,%.2f,%s', lon, lat, country_code) END,
	event_type, event_date, coalesce(event_date_end, event_date),
	json_object('id', id, 'article_id', article_id, 'lon', lon, 'lat', lat,
		'bound_west', bound_west, 'bound_south', bound_south, 'bound_east', bound_east, 'bound_north', bound_north,
		'event_date', event_date, 'event_date_end', event_date_end, 'time_precision', time_precision,
		'event_type', event_type, 'sub_event_type', sub_event_type, 'modality', modality,
		'actor1', actor1, 'actor2', actor2, 'fatalities', fatalities,
		'location', location, 'country', country, 'country_code', country_code, 'admin1', admin1,
		'geonameid', geonameid, 'feature_code', feature_code, 'geo_precision', geo_precision,
		'mention', mention, 'quote', quote, 'confidence', confidence,
		'title', title, 'source_url', source_url, 'published', published, 'extractor_version', extractor_version,
		'origin', CASE WHEN origin = 'extracted' THEN '' ELSE origin END)
FROM events;

-- Merging the reports stored so far waits for the program (the rules are
-- Go): it runs when it finds this flag.
INSERT INTO meta (key, value) VALUES ('merge_pending', (SELECT count(*) > 0 FROM events));
