-- Counts of the events per cell of every kept level, country code, and
-- Monday of the week of their first and of their last day ('' undated), as
-- cell_types (0010) counts them per event type. cell_countries keeps no
-- week, so that the stats of a box with dates read every event of the box
-- in the dates: from a day on, 0.5 s for a hotspot's box in a million
-- events (BENCHMARKS.md). Their countries now add up from here, their
-- types and weeks from cell_types (eventsql.StatsUsable, CellCountrySQL).
-- No event type, modality or origin, which would multiply the groups: the
-- stats of a box with dates and those read the events. A group whose
-- events are all gone keeps n = 0: queries skip it.
--
-- The triggers' names start with cell_, as the other kept cells', and a
-- bulk import that builds a new events table tallies the groups itself.
CREATE TABLE cell_country_weeks (
	level        integer NOT NULL,
	x            integer NOT NULL,
	y            integer NOT NULL,
	country_code text COLLATE "C" NOT NULL,
	week         text COLLATE "C" NOT NULL,
	week_last    text COLLATE "C" NOT NULL,
	n            bigint NOT NULL,
	PRIMARY KEY (level, x, y, country_code, week, week_last)
);

-- A row's cell is eventsql.CellX's at level 8, clamped, halved once per
-- coarser level; its weeks as cell_types'.
CREATE FUNCTION cell_country_weeks_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_country_weeks c SET n = c.n - g.n
		FROM (WITH g AS (
			SELECT floor((ST_X(r.geom) + 180) * 1024 / 360)::integer AS x, floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer AS y,
				r.country_code, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
				coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
				count(*) AS n
			FROM removed r GROUP BY 1, 2, 3, 4, 5)
		SELECT l.level, least(g.x, 1023) >> (8 - l.level) AS x, least(g.y, 511) >> (8 - l.level) AS y, g.country_code,
			coalesce(to_char(g.week, 'YYYY-MM-DD'), '') AS week, coalesce(to_char(g.week_last, 'YYYY-MM-DD'), '') AS week_last,
			sum(g.n)::bigint AS n
		FROM g CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.country_code = g.country_code AND c.week = g.week
			AND c.week_last = g.week_last;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_country_weeks AS c (level, x, y, country_code, week, week_last, n)
		WITH g AS (
			SELECT floor((ST_X(r.geom) + 180) * 1024 / 360)::integer AS x, floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer AS y,
				r.country_code, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
				coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
				count(*) AS n
			FROM added r GROUP BY 1, 2, 3, 4, 5)
		SELECT l.level, least(g.x, 1023) >> (8 - l.level) AS x, least(g.y, 511) >> (8 - l.level) AS y, g.country_code,
			coalesce(to_char(g.week, 'YYYY-MM-DD'), '') AS week, coalesce(to_char(g.week_last, 'YYYY-MM-DD'), '') AS week_last,
			sum(g.n)::bigint AS n
		FROM g CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6
		ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT (level, x, y, country_code, week, week_last) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cell_country_weeks_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_country_weeks_apply();
CREATE TRIGGER cell_country_weeks_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_country_weeks_apply();
CREATE TRIGGER cell_country_weeks_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cell_country_weeks_apply();

-- The events stored before this migration.
INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
WITH g AS (
	SELECT floor((ST_X(r.geom) + 180) * 1024 / 360)::integer AS x, floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer AS y,
		r.country_code, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
		coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
		count(*) AS n
	FROM events r GROUP BY 1, 2, 3, 4, 5)
SELECT l.level, least(g.x, 1023) >> (8 - l.level), least(g.y, 511) >> (8 - l.level), g.country_code,
	coalesce(to_char(g.week, 'YYYY-MM-DD'), ''), coalesce(to_char(g.week_last, 'YYYY-MM-DD'), ''), sum(g.n)::bigint
FROM g CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6;
