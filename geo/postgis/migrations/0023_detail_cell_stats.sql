-- Counts of the events per sub-event type or precision and per cell of the
-- density grid at level 8 (eventsql.WordCellLevel, as cell_word_stats), by
-- country code (kind 0) and by the Monday of the week of the event's first
-- day (kind 1, '' undated), kept by statement triggers on every write of
-- events as cell_word_stats is (0021). The stats of sub-event types or
-- precisions with a box then add up the groups of the cells inside the box
-- (event types from cell_details, countries and weeks from here) and read
-- the events of its edge strips only (eventsql.DetailBoxStatsSQL), instead of
-- every event of the filter in the box (a precision in a hotspot's box of
-- 300,000 events: 0.73 s). Each event counts once under its sub-event type
-- (field 'sub_event_type') and once under its precision (field
-- 'geo_precision', value its decimal text), each by country and by week:
-- the million holds 238,000 groups by sub-event type and week, 116,000 by
-- precision and week, 84,000 by country. No event type: the stats of a box
-- with types read the events. A group whose events are all gone keeps
-- n = 0: queries skip it. A bulk import that builds a new events table
-- tallies the groups itself (tally.go).
CREATE TABLE cell_detail_stats (
	field text COLLATE "C" NOT NULL, -- 'sub_event_type' or 'geo_precision'
	value text COLLATE "C" NOT NULL,
	x     integer NOT NULL,
	y     integer NOT NULL,
	kind  integer NOT NULL, -- 0: key is a country code; 1: key is a week
	key   text COLLATE "C" NOT NULL,
	n     bigint NOT NULL,
	PRIMARY KEY (field, value, x, y, kind, key)
);

-- A row's cell is eventsql.CellX's at level 8, clamped; its week as
-- cell_types' (0010).
CREATE FUNCTION cell_detail_stats_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_detail_stats c SET n = c.n - g.n
		FROM (SELECT f.field, f.value, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023) AS x,
				least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511) AS y, k.kind,
				CASE k.kind WHEN 0 THEN r.country_code
					ELSE coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') END AS key,
				count(*) AS n
			FROM removed r, LATERAL (VALUES ('sub_event_type', r.sub_event_type), ('geo_precision', r.geo_precision::text)) f (field, value),
				(VALUES (0), (1)) k (kind)
			GROUP BY 1, 2, 3, 4, 5, 6) g
		WHERE c.field = g.field AND c.value = g.value AND c.x = g.x AND c.y = g.y AND c.kind = g.kind AND c.key = g.key;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_detail_stats AS c (field, value, x, y, kind, key, n)
		SELECT f.field, f.value, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023),
			least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511), k.kind,
			CASE k.kind WHEN 0 THEN r.country_code
				ELSE coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') END,
			count(*)
		FROM added r, LATERAL (VALUES ('sub_event_type', r.sub_event_type), ('geo_precision', r.geo_precision::text)) f (field, value),
			(VALUES (0), (1)) k (kind)
		GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT (field, value, x, y, kind, key) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cell_detail_stats_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_detail_stats_apply();
CREATE TRIGGER cell_detail_stats_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_detail_stats_apply();
CREATE TRIGGER cell_detail_stats_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cell_detail_stats_apply();

-- The events stored before this migration.
INSERT INTO cell_detail_stats (field, value, x, y, kind, key, n)
SELECT f.field, f.value, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023),
	least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511), k.kind,
	CASE k.kind WHEN 0 THEN r.country_code
		ELSE coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') END,
	count(*)
FROM events r, LATERAL (VALUES ('sub_event_type', r.sub_event_type), ('geo_precision', r.geo_precision::text)) f (field, value),
	(VALUES (0), (1)) k (kind)
GROUP BY 1, 2, 3, 4, 5, 6;
ANALYZE cell_detail_stats;

-- The precision joins the fields of events_words_walk (0016): a page of
-- precisions with a box walks its entries for the page's ids
-- (Store.precisionWalk), and the count of precisions with a box and dates
-- reads the dates' entries (Store.precisionByDate), index-only, where
-- each entry's row was read to test its precision (a hotspot's box: 10,000
-- rows for a page of 1,000; 16,000 for the count over six weeks).
DROP INDEX events_words_walk;
CREATE INDEX events_words_walk ON events (event_date DESC NULLS LAST, id)
	INCLUDE (dates, geom, event_type, country_code, modality, origin, fatalities, event_date_end, geo_precision, actors_words, quote_words);
