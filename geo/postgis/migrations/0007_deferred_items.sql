-- Feed items left for a later poll because every extraction slot of the
-- server was busy (--max-extractions): counted per feed, so that
-- /api/feeds shows a server that cannot keep up with its feeds.
ALTER TABLE feeds ADD COLUMN items_deferred bigint NOT NULL DEFAULT 0;
