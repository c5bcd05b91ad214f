-- Tags and category for the trade views. Gamma tags markets and events (slugs in markets.tags and
-- events.tags, the tags table has their labels); older records also carry a `category` string — on
-- the market and on the event it embeds (test/fixtures/polymarket/gamma/resolved-markets-keyset-limit-1.json:
-- "US-current-affairs" on both), and on events. Neither schema decodes `category`, but `raw` keeps
-- every payload, so it is a column computed from `raw`: on insert for new rows, on read for parts
-- written before this migration (until they merge). '' where Gamma gives none.
ALTER TABLE markets {{on_cluster}}
    ADD COLUMN IF NOT EXISTS category String
        DEFAULT if(JSONExtractString(raw, 'events', 1, 'category') != '', JSONExtractString(raw, 'events', 1, 'category'), JSONExtractString(raw, 'category'))
        COMMENT 'Gamma category of the market''s event, else of the market; '''' when none' AFTER tags;

ALTER TABLE events {{on_cluster}}
    ADD COLUMN IF NOT EXISTS category String DEFAULT JSONExtractString(raw, 'category')
        COMMENT 'Gamma category; '''' when none' AFTER tags;

-- token_markets (sql/021) again, with two more attributes for the trade views to filter by:
--   tags      the market's tag slugs and its event's, each once (a market's own list is often empty
--             or narrower: Gamma tags the event "Politics" and the market only with its subject)
--   category  the event's category, else the market's ('' when Gamma gives none)
-- Same source, layout and lifetime as before; events are joined for their tags and category, and
-- their newest fetch joins the invalidation query, so a re-tagged event reaches the views too.
CREATE OR REPLACE DICTIONARY token_markets {{on_cluster}}
(
    token_id      UInt256,
    condition_id  String,
    market_id     UInt64,
    outcome       String,
    outcome_index UInt8,
    question      String,
    slug          String,
    event_title   String,
    tags          Array(String),
    category      String,
    known         UInt8 DEFAULT 0
)
PRIMARY KEY token_id
SOURCE(CLICKHOUSE(
    QUERY 'SELECT t.token_id, t.condition_id, t.market_id, t.outcome, t.outcome_index, m.question, m.slug, m.event_title, arrayDistinct(arrayConcat(m.tags, e.tags)) AS tags, if(e.category != '''', e.category, m.category) AS category, toUInt8(1) AS known FROM market_tokens AS t FINAL LEFT JOIN (SELECT market_id, question, slug, event_title, event_id, tags, category FROM markets FINAL) AS m ON m.market_id = t.market_id LEFT JOIN (SELECT event_id, tags, category FROM events FINAL) AS e ON e.event_id = m.event_id'
    INVALIDATE_QUERY 'SELECT (SELECT max(_ingested_at) FROM market_tokens), (SELECT max(_ingested_at) FROM markets), (SELECT count() FROM market_tokens), (SELECT max(_ingested_at) FROM events)'
))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(MIN 5 MAX 10)
