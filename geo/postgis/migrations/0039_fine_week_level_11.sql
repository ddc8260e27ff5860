-- cell_fine_weeks (0036) gains the cells of level 11
-- (eventsql.WeekFinerLevel), as SQLite's does (its migration 0039): the
-- density of zoom 11 between dates reads their groups instead of every
-- event in view. A hotspot's view at zoom 11 since a date holds 55,000
-- of the million's events, read from events_box_walk's entries in 40-60
-- ms, and 27,500 groups of this level by cell, type and week; the whole
-- store 701,000 groups (428,000 at level 10). Zooms 9 and 10 and the
-- counts and stats of boxes keep reading level 10.
--
-- The level's groups are kept by statement triggers of their own beside
-- those of 0036; a bulk import that builds a new events table tallies
-- this level and adds level 10 up from it (tally.go). cell_country_weeks
-- stays at level 10 alone: only boxes' counts and stats read it.
CREATE FUNCTION cells_fine_weeks_11_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_fine_weeks c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 8192 / 360)::integer, 8191) AS x,
				least(floor((ST_Y(r.geom) + 90) * 8192 / 360)::integer, 4095) AS y,
				r.event_type, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
				coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
				r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r GROUP BY 1, 2, 3, 4, 5, 6, 7)
		SELECT 11 AS level, g.x, g.y, g.event_type,
			coalesce(to_char(g.week, 'YYYY-MM-DD'), '') AS week, coalesce(to_char(g.week_last, 'YYYY-MM-DD'), '') AS week_last,
			g.modality, g.origin, g.n, g.fatalities, g.sum_lon, g.sum_lat
		FROM g) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type AND c.week = g.week
			AND c.week_last = g.week_last AND c.modality = g.modality AND c.origin = g.origin;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_fine_weeks AS c (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
		WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 8192 / 360)::integer, 8191) AS x,
				least(floor((ST_Y(r.geom) + 90) * 8192 / 360)::integer, 4095) AS y,
				r.event_type, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
				coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
				r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM added r GROUP BY 1, 2, 3, 4, 5, 6, 7)
		SELECT 11, g.x, g.y, g.event_type,
			coalesce(to_char(g.week, 'YYYY-MM-DD'), ''), coalesce(to_char(g.week_last, 'YYYY-MM-DD'), ''),
			g.modality, g.origin, g.n, g.fatalities, g.sum_lon, g.sum_lat
		FROM g ORDER BY 2, 3, 4, 5, 6, 7, 8
		ON CONFLICT (level, x, y, event_type, week, week_last, modality, origin) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cells_fine_weeks_11_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cells_fine_weeks_11_apply();
CREATE TRIGGER cells_fine_weeks_11_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cells_fine_weeks_11_apply();
CREATE TRIGGER cells_fine_weeks_11_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cells_fine_weeks_11_apply();

-- The events stored before this migration.
INSERT INTO cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
WITH g AS (
	SELECT least(floor((ST_X(r.geom) + 180) * 8192 / 360)::integer, 8191) AS x,
		least(floor((ST_Y(r.geom) + 90) * 8192 / 360)::integer, 4095) AS y,
		r.event_type, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
		coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
		r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
		sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
	FROM events r GROUP BY 1, 2, 3, 4, 5, 6, 7)
SELECT 11, g.x, g.y, g.event_type, coalesce(to_char(g.week, 'YYYY-MM-DD'), ''), coalesce(to_char(g.week_last, 'YYYY-MM-DD'), ''),
	g.modality, g.origin, g.n, g.fatalities, g.sum_lon, g.sum_lat
FROM g;
ANALYZE cell_fine_weeks;
