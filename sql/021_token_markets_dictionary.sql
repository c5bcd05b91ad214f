-- token_markets: every outcome token with its market, outcome and the market's metadata, as an
-- in-memory dictionary keyed by token_id, for the trade views to look tokens up in.
-- Why a dictionary: a trade view filtered to one wallet reads a handful of fills, but a JOIN to
-- market_tokens and markets reads both tables whole (FINAL) for every query — with 150,000 markets
-- that alone took ~200 ms per wallet query (bench/chain-wallet-query.ts). A JOIN against a
-- dictionary is a direct join: one hash lookup per row of the wallet's trades.
-- Freshness: every 5–10 s the engine runs invalidate_query (three aggregates over market_tokens and
-- markets, ~1 ms at 150,000 markets) and re-reads the source in the background when its answer
-- changed, so new markets reach the views within seconds; `SYSTEM RELOAD DICTIONARY token_markets`
-- (steps/chain.ts `reloadTokenMarkets`) makes them visible at once — the chain step runs it when it
-- finishes, so a backfill's views see the markets it loaded. `known` is 1 for every token here, 0 (the
-- default) for a token the dictionary does not hold.
CREATE DICTIONARY IF NOT EXISTS token_markets {{on_cluster}}
(
    token_id      UInt256,
    condition_id  String,
    market_id     UInt64,
    outcome       String,
    outcome_index UInt8,
    question      String,
    slug          String,
    event_title   String,
    known         UInt8 DEFAULT 0
)
PRIMARY KEY token_id
SOURCE(CLICKHOUSE(
    QUERY 'SELECT t.token_id, t.condition_id, t.market_id, t.outcome, t.outcome_index, m.question, m.slug, m.event_title, toUInt8(1) AS known FROM market_tokens AS t FINAL LEFT JOIN (SELECT market_id, question, slug, event_title FROM markets FINAL) AS m ON m.market_id = t.market_id'
    INVALIDATE_QUERY 'SELECT (SELECT max(_ingested_at) FROM market_tokens), (SELECT max(_ingested_at) FROM markets), (SELECT count() FROM market_tokens)'
))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(MIN 5 MAX 10)
