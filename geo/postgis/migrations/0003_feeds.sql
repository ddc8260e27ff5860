-- Followed feeds with the state their poller keeps between fetches (so that
-- a restarted server resumes where it stopped), the items each feed has
-- shown, and claims on articles being fetched (so that a story two feeds
-- carry is fetched and stored once). The lease columns let several server
-- instances share the feeds: one polls a feed at a time.

CREATE TABLE feeds (
	id                text COLLATE "C" PRIMARY KEY,
	url               text NOT NULL UNIQUE,
	interval_ms       bigint NOT NULL, -- 0: the server's default
	source            text NOT NULL,   -- 'flag' or 'api'
	created_at        timestamptz NOT NULL,
	etag              text NOT NULL DEFAULT '',
	last_modified     text NOT NULL DEFAULT '',
	last_fetch        timestamptz,     -- NULL: never
	last_status       integer NOT NULL DEFAULT 0,
	last_error        text NOT NULL DEFAULT '',
	last_reason       text NOT NULL DEFAULT '',
	failures          integer NOT NULL DEFAULT 0, -- consecutive
	next_fetch        timestamptz NOT NULL,
	items_seen        bigint NOT NULL DEFAULT 0,
	articles_ingested bigint NOT NULL DEFAULT 0,
	events_found      bigint NOT NULL DEFAULT 0,
	item_errors       bigint NOT NULL DEFAULT 0,
	last_item_error   text NOT NULL DEFAULT '',
	lease_owner       text NOT NULL DEFAULT '',
	lease_until       timestamptz NOT NULL DEFAULT '-infinity'
);
CREATE INDEX feeds_due ON feeds (next_fetch);

CREATE TABLE feed_items (
	feed_id    text COLLATE "C" NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
	key        text NOT NULL, -- the item's guid, else its link
	state      text NOT NULL, -- 'done', 'failed' (not tried again) or 'retry'
	attempts   integer NOT NULL,
	article_id text NOT NULL DEFAULT '',
	error      text NOT NULL DEFAULT '',
	seen_at    timestamptz NOT NULL,
	PRIMARY KEY (feed_id, key)
);

CREATE TABLE article_claims (
	article_id text COLLATE "C" PRIMARY KEY,
	owner      text NOT NULL,
	until      timestamptz NOT NULL
);
