-- Counts of the events per event type, country code, week, first and last
-- day, modality and origin, kept by statement triggers on every write of
-- events (one grouped upsert per statement, from its transition tables, so
-- that an import's INSERT ... SELECT of thousands of rows costs one), so
-- that /api/stats and the count of a page whose filter names only these
-- (no box, no words, no sub-event type or precision, no source count)
-- read a few thousand groups instead of a million events
-- (eventsql.CountsUsable). Dates are YYYY-MM-DD text, '' when undated, as
-- in the SQLite store, so that both read them with the same SQL; date_last
-- is event_date_end, else event_date. A group whose events are all gone
-- keeps n = 0: queries skip it.
CREATE TABLE event_counts (
	event_type   text COLLATE "C" NOT NULL,
	country_code text COLLATE "C" NOT NULL,
	week         text COLLATE "C" NOT NULL, -- the Monday of event_date's week, '' when undated
	event_date   text COLLATE "C" NOT NULL,
	date_last    text COLLATE "C" NOT NULL,
	modality     text COLLATE "C" NOT NULL,
	origin       text COLLATE "C" NOT NULL,
	n            bigint NOT NULL,
	PRIMARY KEY (event_type, country_code, week, event_date, date_last, modality, origin)
);

CREATE FUNCTION event_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO event_counts AS c (event_type, country_code, week, event_date, date_last, modality, origin, n)
		SELECT event_type, country_code,
			coalesce(to_char(event_date - (extract(isodow FROM event_date)::integer - 1), 'YYYY-MM-DD'), ''),
			coalesce(to_char(event_date, 'YYYY-MM-DD'), ''), coalesce(to_char(coalesce(event_date_end, event_date), 'YYYY-MM-DD'), ''),
			modality, origin, count(*)
		FROM added GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
		ON CONFLICT (event_type, country_code, week, event_date, date_last, modality, origin) DO UPDATE SET n = c.n + excluded.n;
		RETURN NULL;
	END IF;
	-- UPDATE and DELETE: the rows gone (or as they were) leave their groups
	-- first; an UPDATE's new rows then join theirs.
	UPDATE event_counts c SET n = c.n - g.n
	FROM (SELECT event_type, country_code,
			coalesce(to_char(event_date - (extract(isodow FROM event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
			coalesce(to_char(event_date, 'YYYY-MM-DD'), '') AS event_date,
			coalesce(to_char(coalesce(event_date_end, event_date), 'YYYY-MM-DD'), '') AS date_last,
			modality, origin, count(*) AS n
		FROM removed GROUP BY 1, 2, 3, 4, 5, 6, 7) g
	WHERE c.event_type = g.event_type AND c.country_code = g.country_code AND c.week = g.week
		AND c.event_date = g.event_date AND c.date_last = g.date_last AND c.modality = g.modality AND c.origin = g.origin;
	IF TG_OP = 'UPDATE' THEN
		INSERT INTO event_counts AS c (event_type, country_code, week, event_date, date_last, modality, origin, n)
		SELECT event_type, country_code,
			coalesce(to_char(event_date - (extract(isodow FROM event_date)::integer - 1), 'YYYY-MM-DD'), ''),
			coalesce(to_char(event_date, 'YYYY-MM-DD'), ''), coalesce(to_char(coalesce(event_date_end, event_date), 'YYYY-MM-DD'), ''),
			modality, origin, count(*)
		FROM added GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
		ON CONFLICT (event_type, country_code, week, event_date, date_last, modality, origin) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER event_counts_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION event_counts_apply();
CREATE TRIGGER event_counts_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION event_counts_apply();
CREATE TRIGGER event_counts_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION event_counts_apply();

INSERT INTO event_counts (event_type, country_code, week, event_date, date_last, modality, origin, n)
SELECT event_type, country_code,
	coalesce(to_char(event_date - (extract(isodow FROM event_date)::integer - 1), 'YYYY-MM-DD'), ''),
	coalesce(to_char(event_date, 'YYYY-MM-DD'), ''), coalesce(to_char(coalesce(event_date_end, event_date), 'YYYY-MM-DD'), ''),
	modality, origin, count(*)
FROM events GROUP BY 1, 2, 3, 4, 5, 6, 7;
