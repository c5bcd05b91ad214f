-- vw_trades_unified: what a wallet did, from both sources, in common columns —
--   source 'blockchain': every trade of vw_trades_canonical (one row per OrderFilled of the wallet as
--     maker, venue 'order_book', and one per AMM-era trade against a Polymarket market maker, venue
--     'amm'; shares and price of the trade, its fee, time of its block, side BUY/SELL);
--   source 'clob_api': the wallet's current Data API positions (size as shares, avgPrice as price,
--     the snapshot's time, side ''), current meaning from the wallet's newest complete snapshot:
--     a position whose snapshot_at is older than wallets.positions_snapshot_at was gone by then;
--     venue '' and fee NULL: a position is no trade.
-- joined to market metadata (question, slug, event title, tags, category) through the token_markets
-- dictionary (sql/021, sql/031): `tags` are the tag slugs of the market and of its event (Gamma's
-- /tags labels are in the tags table), `category` Gamma's category of the event or market where it
-- gives one ('' otherwise) — so `WHERE has(tags, 'politics')` filters trades by topic without a join.
-- An AMM trade whose token Gamma does not list takes them from its market maker's Gamma market
-- (amm_markets, sql/061). A row whose token is not in market_tokens is kept with empty metadata and
-- market_known = 0, so `status` can count them.
-- `WHERE wallet = …` reaches chain_fills_by_wallet, positions and wallets as primary-key ranges
-- (each is ordered by wallet first) and the metadata is a lookup per row, so one wallet costs what
-- its own rows cost: see bench/chain-wallet-query.ts for the latency on 10,000,000 fills.
CREATE OR REPLACE VIEW vw_trades_unified {{on_cluster}} AS
SELECT
    u.wallet AS wallet,
    u.condition_id AS condition_id,
    u.market_id AS market_id,
    u.token_id AS token_id,
    u.outcome AS outcome,
    u.outcome_index AS outcome_index,
    u.side AS side,
    u.shares AS shares,
    u.price AS price,
    u.source AS source,
    u.time AS time,
    tupleElement(m, 1) AS question,
    tupleElement(m, 2) AS slug,
    tupleElement(m, 3) AS event_title,
    u.market_known AS market_known,
    u.tx_hash AS tx_hash,
    u.log_index AS log_index,
    tupleElement(m, 4) AS tags,
    tupleElement(m, 5) AS category,
    u.venue AS venue,
    u.fee AS fee
FROM
(
    SELECT
        *,
        -- An AMM trade whose token Gamma does not list takes its market maker's market
        -- (amm_markets: Gamma's marketMakerAddress).
        if(
            amm_market_maker != '' AND dictGet('token_markets', 'known', tuple(token_id)) = 0,
            dictGet('amm_markets', ('question', 'slug', 'event_title', 'tags', 'category'), tuple(amm_market_maker)),
            dictGet('token_markets', ('question', 'slug', 'event_title', 'tags', 'category'), tuple(token_id))
        ) AS m
    FROM
    (
        SELECT
            wallet,
            condition_id,
            market_id,
            token_id,
            outcome,
            outcome_index,
            toString(side) AS side,
            shares,
            price,
            'blockchain' AS source,
            toDateTime64(block_time, 3, 'UTC') AS time,
            market_known,
            tx_hash,
            log_index,
            venue,
            CAST(fee AS Nullable(Decimal(18, 6))) AS fee,
            if(venue = 'amm', exchange, '') AS amm_market_maker
        FROM vw_trades_canonical
        UNION ALL
        SELECT
            p.wallet AS wallet,
            p.condition_id AS condition_id,
            dictGet('token_markets', 'market_id', tuple(p.token_id)) AS market_id,
            p.token_id AS token_id,
            p.outcome AS outcome,
            p.outcome_index AS outcome_index,
            '' AS side,
            p.size AS shares,
            p.avg_price AS price,
            'clob_api' AS source,
            p.snapshot_at AS time,
            dictGet('token_markets', 'known', tuple(p.token_id)) AS market_known,
            '' AS tx_hash,
            toUInt32(0) AS log_index,
            '' AS venue,
            CAST(NULL AS Nullable(Decimal(18, 6))) AS fee,
            '' AS amm_market_maker
        FROM positions AS p FINAL
        INNER JOIN wallets AS w FINAL ON w.wallet = p.wallet
        WHERE p.snapshot_at >= w.positions_snapshot_at
    )
) AS u
