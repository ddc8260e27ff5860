-- cell_word_fine (migration 0031) at level 11 rather than 10
-- (eventsql.WordFineLevel), so that it answers the density cells of one
-- word at zoom 11 too: a hotspot's view at zoom 11 holds 101,000 of the
-- million events, whose entries the word's cells read (31-37 ms, p99s of
-- 48-54), where the word's groups inside the box are a few hundred. Level
-- 11 holds 1,768,698 groups of the million where level 10 held 1,111,175;
-- zooms 9 and 10 add up four and two times as many of them as before.
-- Same table and triggers; the triggers' function at the new level, and
-- the groups counted again. A row's cell is eventsql.CellX's at level 11,
-- clamped.
CREATE OR REPLACE FUNCTION cell_word_fine_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_word_fine c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 8192 / 360)::integer, 8191) AS x,
				least(floor((ST_Y(r.geom) + 90) * 8192 / 360)::integer, 4095) AS y, r.event_type,
				count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities, sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
				UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
			GROUP BY 1, 2, 3, 4, 5) g
		WHERE c.field = g.field AND c.word = g.word AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_word_fine AS c (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
		SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 8192 / 360)::integer, 8191),
			least(floor((ST_Y(r.geom) + 90) * 8192 / 360)::integer, 4095), r.event_type,
			count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
		ON CONFLICT (field, word, x, y, event_type) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;

TRUNCATE cell_word_fine;

-- The events stored before this migration.
INSERT INTO cell_word_fine (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 8192 / 360)::integer, 8191),
	least(floor((ST_Y(r.geom) + 90) * 8192 / 360)::integer, 4095), r.event_type,
	count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
FROM events r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
	UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
GROUP BY 1, 2, 3, 4, 5;
ANALYZE cell_word_fine;
