-- cell_word_stats (migration 0021) keeps its groups by country (kind 0)
-- alone: the stats of a word in a box count its weeks, and a word with a
-- box and dates its events, from the groups of cell_word_weeks (0041),
-- the same words and weeks at level 9 by event type, whose cells of
-- level 9 make up each cell of level 8 (eventsql.WordStatsSQL,
-- eventsql.WordWeekCells.CountSQL). A bulk import of the million wrote
-- 1,137,989 groups by week here besides cell_word_weeks' 3,983,233.
CREATE OR REPLACE FUNCTION cell_word_stats_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_word_stats c SET n = c.n - g.n
		FROM (SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023) AS x,
				least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511) AS y, r.country_code AS key, count(*) AS n
			FROM removed r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
				UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
			GROUP BY 1, 2, 3, 4, 5) g
		WHERE c.field = g.field AND c.word = g.word AND c.x = g.x AND c.y = g.y AND c.kind = 0 AND c.key = g.key;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_word_stats AS c (field, word, x, y, kind, key, n)
		SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023),
			least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511), 0, r.country_code, count(*)
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		GROUP BY 1, 2, 3, 4, 6 ORDER BY 1, 2, 3, 4, 6
		ON CONFLICT (field, word, x, y, kind, key) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END $$;

DELETE FROM cell_word_stats WHERE kind = 1;
