-- An article whose page and feed name no publication date is dated the day
-- it was fetched (relative dates in its text are read against that day);
-- published_estimated says so, so that an analyst can tell such a date from
-- one the publisher wrote. Articles stored before have a date their poster
-- or page gave, or none.
ALTER TABLE articles ADD COLUMN published_estimated boolean NOT NULL DEFAULT false;
-- Reads look up the few estimated articles among the events of a page.
CREATE INDEX articles_estimated ON articles (id) WHERE published_estimated;

-- Feed items are pruned by age, per feed (geo/feed, Store.PruneFeedItems).
CREATE INDEX feed_items_by_seen ON feed_items (feed_id, seen_at);
