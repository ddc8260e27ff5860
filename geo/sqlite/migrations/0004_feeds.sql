-- Followed feeds with the state their poller keeps between fetches (so that
-- a restarted server resumes where it stopped), the items each feed has
-- shown, and claims on articles being fetched (so that a story two feeds
-- carry is fetched and stored once). Times are Unix microseconds.

CREATE TABLE feeds (
	id                TEXT PRIMARY KEY,
	url               TEXT NOT NULL UNIQUE,
	interval_ms       INTEGER NOT NULL, -- 0: the server's default
	source            TEXT NOT NULL,    -- 'flag' or 'api'
	created_at        INTEGER NOT NULL,
	etag              TEXT NOT NULL DEFAULT '',
	last_modified     TEXT NOT NULL DEFAULT '',
	last_fetch        INTEGER NOT NULL DEFAULT 0, -- 0: never
	last_status       INTEGER NOT NULL DEFAULT 0,
	last_error        TEXT NOT NULL DEFAULT '',
	last_reason       TEXT NOT NULL DEFAULT '',
	failures          INTEGER NOT NULL DEFAULT 0, -- consecutive
	next_fetch        INTEGER NOT NULL,
	items_seen        INTEGER NOT NULL DEFAULT 0,
	articles_ingested INTEGER NOT NULL DEFAULT 0,
	events_found      INTEGER NOT NULL DEFAULT 0,
	item_errors       INTEGER NOT NULL DEFAULT 0,
	last_item_error   TEXT NOT NULL DEFAULT '',
	-- The instance polling the feed now, until when: one poller at a time.
	lease_owner       TEXT NOT NULL DEFAULT '',
	lease_until       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX feeds_due ON feeds (next_fetch);

CREATE TABLE feed_items (
	feed_id    TEXT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
	key        TEXT NOT NULL, -- the item's guid, else its link
	state      TEXT NOT NULL, -- 'done', 'failed' (not tried again) or 'retry'
	attempts   INTEGER NOT NULL,
	article_id TEXT NOT NULL DEFAULT '',
	error      TEXT NOT NULL DEFAULT '',
	seen_at    INTEGER NOT NULL,
	PRIMARY KEY (feed_id, key)
) STRICT;

CREATE TABLE article_claims (
	article_id TEXT PRIMARY KEY,
	owner      TEXT NOT NULL,
	until      INTEGER NOT NULL
) STRICT;
