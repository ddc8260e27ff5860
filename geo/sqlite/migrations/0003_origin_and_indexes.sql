-- Events imported from files (conflictmap's own exports, ACLED, UCDP) beside
-- the extracted ones, a full-text index for the word filters, and indexes
-- for the filters a million events make slow.

-- origin is 'extracted', 'import', 'acled' or 'ucdp' (geo.Origins). An
-- imported file is stored as an article of its own whose origin says so;
-- re-extraction skips such articles (they have no text to read).
ALTER TABLE events ADD COLUMN origin TEXT NOT NULL DEFAULT 'extracted';
ALTER TABLE articles ADD COLUMN origin TEXT NOT NULL DEFAULT 'extracted';

-- The word filters (actor, q) look words up here: the case-folded actors and
-- quote, split into words by unicode61 as geo.Words splits them (letters,
-- digits, private use; diacritics kept). Contentless: the text is in events.
CREATE VIRTUAL TABLE events_fts USING fts5 (
	actors, quote,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO events_fts (rowid, actors, quote) SELECT seq, actors_folded, quote_folded FROM events;

CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
	INSERT INTO events_fts (rowid, actors, quote) VALUES (new.seq, new.actors_folded, new.quote_folded);
END;
CREATE TRIGGER events_fts_update AFTER UPDATE OF actors_folded, quote_folded ON events BEGIN
	DELETE FROM events_fts WHERE rowid = old.seq;
	INSERT INTO events_fts (rowid, actors, quote) VALUES (new.seq, new.actors_folded, new.quote_folded);
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
	DELETE FROM events_fts WHERE rowid = old.seq;
END;

-- A country, a type or an origin alone, or with a date range, walks its
-- own index in date order; the lists and counts read the index, not the
-- rows.
DROP INDEX events_by_type;
DROP INDEX events_by_country;
CREATE INDEX events_by_country ON events (country_code, event_date, event_type, modality);
CREATE INDEX events_by_type ON events (event_type, event_date, country_code, modality);
CREATE INDEX events_by_origin ON events (origin, event_date);
