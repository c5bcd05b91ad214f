-- amm_markets: every market maker Polymarket's FixedProductMarketMakerFactory created
-- (0x8b9805a2f595b6705e74f7310829f2d299d21522, extract/chain/contracts.ts FPMM_FACTORY), keyed by
-- its address, with what its creation says (condition, collateral, fee, the outcomes' token ids)
-- and the Gamma market whose `marketMakerAddress` names it with its metadata, tags and category as
-- token_markets has them (sql/031) (market_id 0 and empty metadata when Gamma lists none). `known` is 1 for every market maker here, 0 (the default) for any other
-- emitter: the trade and liquidity views keep only known ones. An in-memory dictionary for the
-- reason token_markets is one (sql/021): the views look each AMM event's emitter up with dictGet.
-- Gamma prints the address checksummed; it is compared lower-cased.
CREATE DICTIONARY IF NOT EXISTS amm_markets {{on_cluster}}
(
    market_maker   String,
    condition_id   String,
    collateral     String,
    fee            UInt256,
    position_ids   Array(UInt256),
    creator        String,
    created_block  UInt64,
    market_id      UInt64,
    outcomes       Array(String),
    question       String,
    slug           String,
    event_title    String,
    tags           Array(String),
    category       String,
    known          UInt8 DEFAULT 0
)
PRIMARY KEY market_maker
SOURCE(CLICKHOUSE(
    QUERY 'SELECT c.market_maker AS market_maker, c.condition_ids[1] AS condition_id, c.collateral_token AS collateral, c.fee AS fee, c.position_ids AS position_ids, c.actor AS creator, c.block_number AS created_block, m.market_id AS market_id, m.outcomes AS outcomes, m.question AS question, m.slug AS slug, m.event_title AS event_title, arrayDistinct(arrayConcat(m.tags, e.tags)) AS tags, if(e.category != '''', e.category, m.category) AS category, toUInt8(1) AS known FROM (SELECT * FROM amm_events FINAL WHERE event = ''FixedProductMarketMakerCreation'' AND contract = ''0x8b9805a2f595b6705e74f7310829f2d299d21522'') AS c LEFT JOIN (SELECT lower(JSONExtractString(raw, ''marketMakerAddress'')) AS maker, market_id, outcomes, question, slug, event_title, event_id, tags, category FROM markets FINAL WHERE maker != '''') AS m ON m.maker = c.market_maker LEFT JOIN (SELECT event_id, tags, category FROM events FINAL) AS e ON e.event_id = m.event_id'
    INVALIDATE_QUERY 'SELECT (SELECT max(_ingested_at) FROM amm_events), (SELECT max(_ingested_at) FROM markets), (SELECT count() FROM amm_events), (SELECT max(_ingested_at) FROM events)'
))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(MIN 5 MAX 10)
