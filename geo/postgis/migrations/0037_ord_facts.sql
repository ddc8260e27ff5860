-- Ordinal facts: for each event ordinal (ord, migration 0035), what the
-- stats group events by (the event type, the country code and the
-- week), so that stats of terms the term sets AND (two words, with a
-- country or a type) read the ANDed bitmap and these facts (setStats),
-- not the matches' rows: two common words of a million events, 23,892
-- matches on 20,039 pages of the table (160 MB, more than the server's
-- shared buffers, each run copied again from the kernel's cache: 106-112
-- ms warm, 944 ms when the kernel had paged them out); from the facts
-- about 20 ms, 2 MB stored (BENCHMARKS.md).

-- fact_codes numbers the event types and country codes the facts hold.
-- A code is never reused or changed; codes fit in 16 bits.
CREATE TABLE fact_codes (
	field text COLLATE "C" NOT NULL, -- 'type' or 'country'
	term  text COLLATE "C" NOT NULL,
	code  integer GENERATED ALWAYS AS IDENTITY (MINVALUE 1 MAXVALUE 65535),
	PRIMARY KEY (field, term)
);

-- ord_fact is the 48-bit fact of one event: its type's code, its country's
-- code and its week (weeks from Monday 2000-01-03, as a signed 16-bit
-- number), each as 16 bits, big-endian. An undated event's week is
-- 0x8000; an event dated beyond the 16 bits' reach, 0x8001, which sends
-- its stats to the rows. A slot of no event is all zeros (no code is 0).
CREATE FUNCTION ord_fact(type_code integer, country_code integer, event_date date) RETURNS bit varying LANGUAGE sql IMMUTABLE AS $$
	SELECT ('x' || lpad(to_hex(type_code), 4, '0') || lpad(to_hex(country_code), 4, '0') || lpad(to_hex(CASE
		WHEN event_date IS NULL THEN 32768
		WHEN w.week < -32766 OR w.week > 32767 THEN 32769
		ELSE w.week & 65535 END), 4, '0'))::bit(48)::bit varying
	FROM (SELECT ((event_date - DATE '2000-01-03') - ((event_date - DATE '2000-01-03') % 7 + 7) % 7) / 7 AS week) w
$$;

-- The facts, in chunks of 4,096 ordinals (ord >> 12; eight to a chunk of
-- the term sets' bitmaps): the fact of ordinal ord & 4095 at bits 48 times
-- it. A chunk of 192 Kbit (24 KB) is stored compressed out of line, and a
-- write rewrites it whole: a one-event insert into a million events took
-- 3-6 ms, against 2-3 without the facts; in chunks of 32,768 (192 KB),
-- 4-11 ms (BENCHMARKS.md).
CREATE TABLE ord_facts (
	chunk integer PRIMARY KEY,
	facts bit varying NOT NULL
);

-- ord_facts_put writes facts (recs, 48 bits each) at distinct positions
-- of a chunk: one at a time for a few (each a copy of the chunk), for
-- many through a mask and the records built as text, which costs the
-- chunk's length once. The chunk's row is locked first, created when
-- missing, so that two writers of a chunk take turns.
CREATE FUNCTION ord_facts_put(c integer, positions integer[], recs bit varying[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	f bit varying;
BEGIN
	IF NOT EXISTS (SELECT FROM ord_facts WHERE chunk = c) THEN
		INSERT INTO ord_facts (chunk, facts) VALUES (c, B'0'::bit(196608)) ON CONFLICT (chunk) DO NOTHING;
	END IF;
	SELECT o.facts INTO f FROM ord_facts o WHERE o.chunk = c FOR UPDATE;
	IF cardinality(positions) <= 64 THEN
		FOR i IN 1 .. cardinality(positions) LOOP
			f := overlay(f placing recs[i] from positions[i] * 48 + 1);
		END LOOP;
	ELSE
		SELECT (f & ~rpad(string_agg(repeat('0', (s.p - coalesce(s.prev, -1) - 1) * 48) || repeat('1', 48), '' ORDER BY s.p), 196608, '0')::bit varying)
			| rpad(string_agg(repeat('0', (s.p - coalesce(s.prev, -1) - 1) * 48) || s.r::text, '' ORDER BY s.p), 196608, '0')::bit varying
		INTO f
		FROM (SELECT u.p, u.r, lag(u.p) OVER (ORDER BY u.p) AS prev FROM unnest(positions, recs) u(p, r)) s;
	END IF;
	UPDATE ord_facts SET facts = f WHERE chunk = c;
END $$;

-- ord_facts_write writes the facts recs of the events of ordinals ords
-- (distinct), a chunk at a time in chunk order, so that two writers lock
-- chunks in the same order.
CREATE FUNCTION ord_facts_write(ords bigint[], recs bit varying[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	g record;
BEGIN
	FOR g IN SELECT (u.o >> 12)::integer AS chunk, array_agg((u.o & 4095)::integer) AS positions, array_agg(u.r) AS recs
		FROM unnest(ords, recs) u(o, r) GROUP BY 1 ORDER BY 1 LOOP
		PERFORM ord_facts_put(g.chunk, g.positions, g.recs);
	END LOOP;
END $$;

-- The triggers clear the slots of the rows gone and write those of the
-- new ones. An update keeps an event's ordinal, unless it sets a new one
-- (an import's copy that replaces an event), whose old slot is cleared;
-- the slot of an updated event whose type, country and date stay is left
-- as it is (a merge's new source).
CREATE FUNCTION ord_facts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	ords bigint[];
	recs bit varying[];
BEGIN
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO fact_codes (field, term)
		SELECT DISTINCT x.field, x.term FROM added a, LATERAL (VALUES ('type', a.event_type), ('country', a.country_code)) x(field, term)
		WHERE NOT EXISTS (SELECT FROM fact_codes c WHERE c.field = x.field AND c.term = x.term)
		ON CONFLICT DO NOTHING;
	END IF;
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(a.ord), array_agg(ord_fact(t.code, k.code, a.event_date)) INTO ords, recs
		FROM added a JOIN fact_codes t ON t.field = 'type' AND t.term = a.event_type
			JOIN fact_codes k ON k.field = 'country' AND k.term = a.country_code;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(r.ord), array_agg(B'0'::bit(48)::bit varying) INTO ords, recs FROM removed r;
	ELSE
		SELECT array_agg(x.ord), array_agg(x.rec) INTO ords, recs FROM (
			SELECT r.ord, B'0'::bit(48)::bit varying AS rec FROM removed r WHERE NOT EXISTS (SELECT FROM added a WHERE a.ord = r.ord)
			UNION ALL
			SELECT a.ord, ord_fact(t.code, k.code, a.event_date)
			FROM added a JOIN fact_codes t ON t.field = 'type' AND t.term = a.event_type
				JOIN fact_codes k ON k.field = 'country' AND k.term = a.country_code
			WHERE NOT EXISTS (SELECT FROM removed r WHERE r.ord = a.ord AND r.event_type = a.event_type
				AND r.country_code = a.country_code AND r.event_date IS NOT DISTINCT FROM a.event_date)) x;
	END IF;
	IF ords IS NOT NULL THEN
		PERFORM ord_facts_write(ords, recs);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER ord_facts_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION ord_facts_apply();
CREATE TRIGGER ord_facts_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION ord_facts_apply();
CREATE TRIGGER ord_facts_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION ord_facts_apply();

INSERT INTO fact_codes (field, term) SELECT DISTINCT 'type', event_type FROM events ORDER BY 2;
INSERT INTO fact_codes (field, term) SELECT DISTINCT 'country', country_code FROM events ORDER BY 2;
INSERT INTO ord_facts (chunk, facts)
SELECT s.chunk, rpad(string_agg(repeat('0', (s.p - coalesce(s.prev, -1) - 1) * 48) || s.r::text, '' ORDER BY s.p), 196608, '0')::bit varying
FROM (SELECT (e.ord >> 12)::integer AS chunk, (e.ord & 4095)::integer AS p,
		lag((e.ord & 4095)::integer) OVER (PARTITION BY e.ord >> 12 ORDER BY e.ord) AS prev,
		ord_fact(t.code, k.code, e.event_date) AS r
	FROM events e JOIN fact_codes t ON t.field = 'type' AND t.term = e.event_type
		JOIN fact_codes k ON k.field = 'country' AND k.term = e.country_code) s
GROUP BY 1;
