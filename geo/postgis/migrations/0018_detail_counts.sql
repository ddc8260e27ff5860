-- Counts of the events per sub-event type, precision, event type, country
-- code, week, last week, modality and origin, kept by statement triggers
-- on every write of events as event_counts is, so that the count and the
-- stats of a filter naming sub-event types or precisions (GDAL and QGIS
-- send them as property filters) with types, a country, modalities,
-- origins and dates read a few thousand groups instead of every event
-- (eventsql.PlanDetail). The weeks are those of the first and the last
-- day, as in cell_types: the whole weeks inside a filter's dates come from
-- here, the days at either end from the events. A million generated events
-- make 94,611 groups. A group whose events are all gone keeps n = 0:
-- queries skip it.
CREATE TABLE detail_counts (
	sub_event_type text COLLATE "C" NOT NULL,
	geo_precision  integer NOT NULL,
	event_type     text COLLATE "C" NOT NULL,
	country_code   text COLLATE "C" NOT NULL,
	week           text COLLATE "C" NOT NULL, -- the Monday of event_date's week, '' when undated
	week_last      text COLLATE "C" NOT NULL, -- the Monday of event_date_end's week (else event_date's)
	modality       text COLLATE "C" NOT NULL,
	origin         text COLLATE "C" NOT NULL,
	n              bigint NOT NULL,
	PRIMARY KEY (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin)
);

CREATE FUNCTION detail_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO detail_counts AS c (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin, n)
		SELECT sub_event_type, geo_precision, event_type, country_code,
			coalesce(to_char(event_date - (extract(isodow FROM event_date)::integer - 1), 'YYYY-MM-DD'), ''),
			coalesce(to_char(coalesce(event_date_end, event_date) - (extract(isodow FROM coalesce(event_date_end, event_date))::integer - 1), 'YYYY-MM-DD'), ''),
			modality, origin, count(*)
		FROM added GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
		ON CONFLICT (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin) DO UPDATE SET n = c.n + excluded.n;
		RETURN NULL;
	END IF;
	-- UPDATE and DELETE: the rows gone (or as they were) leave their groups
	-- first; an UPDATE's new rows then join theirs.
	UPDATE detail_counts c SET n = c.n - g.n
	FROM (SELECT sub_event_type, geo_precision, event_type, country_code,
			coalesce(to_char(event_date - (extract(isodow FROM event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
			coalesce(to_char(coalesce(event_date_end, event_date) - (extract(isodow FROM coalesce(event_date_end, event_date))::integer - 1), 'YYYY-MM-DD'), '') AS week_last,
			modality, origin, count(*) AS n
		FROM removed GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) g
	WHERE c.sub_event_type = g.sub_event_type AND c.geo_precision = g.geo_precision AND c.event_type = g.event_type
		AND c.country_code = g.country_code AND c.week = g.week AND c.week_last = g.week_last
		AND c.modality = g.modality AND c.origin = g.origin;
	IF TG_OP = 'UPDATE' THEN
		INSERT INTO detail_counts AS c (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin, n)
		SELECT sub_event_type, geo_precision, event_type, country_code,
			coalesce(to_char(event_date - (extract(isodow FROM event_date)::integer - 1), 'YYYY-MM-DD'), ''),
			coalesce(to_char(coalesce(event_date_end, event_date) - (extract(isodow FROM coalesce(event_date_end, event_date))::integer - 1), 'YYYY-MM-DD'), ''),
			modality, origin, count(*)
		FROM added GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
		ON CONFLICT (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER detail_counts_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION detail_counts_apply();
CREATE TRIGGER detail_counts_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION detail_counts_apply();
CREATE TRIGGER detail_counts_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION detail_counts_apply();

INSERT INTO detail_counts (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin, n)
SELECT sub_event_type, geo_precision, event_type, country_code,
	coalesce(to_char(event_date - (extract(isodow FROM event_date)::integer - 1), 'YYYY-MM-DD'), ''),
	coalesce(to_char(coalesce(event_date_end, event_date) - (extract(isodow FROM coalesce(event_date_end, event_date))::integer - 1), 'YYYY-MM-DD'), ''),
	modality, origin, count(*)
FROM events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
ANALYZE detail_counts;

-- The events of a sub-event type in list order, so that the page of one
-- that few events have reads its own rows rather than every event's and
-- sorts them (a type of 20,000 events in a million: 471 -> 48 ms; with a
-- country, 888 -> 103 ms, at load 15), and the page of one that many have
-- walks them.
CREATE INDEX events_sub_type_list ON events (sub_event_type, event_date DESC NULLS LAST, id);
