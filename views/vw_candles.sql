-- vw_candles: OHLC candles of every outcome token at 1 minute, 1 hour and 1 day (UTC), one row per
-- token, `span` ('1m' | '1h' | '1d') and bucket — the per-block rows of chain_candle_blocks (sql/041,
-- aggregated from the taker legs as they are inserted) rolled up, so a query reads those rows, never
-- chain_fills. vw_candles_1m, vw_candles_1h and vw_candles_1d are its three spans.
--   open / close  the price of the bucket's first / last match; high / low its extremes
--   volume        USDC of its taker legs (each match once); trades: its matches
--   vwap          volume ÷ shares, truncated at 18 places
-- Prices are collateral ÷ shares of the taker leg. `WHERE token_id = …` is one primary-key range, and
-- `WHERE span = …` keeps one of the three rows each block row becomes before anything is aggregated.
-- Market columns come from the token_markets dictionary ('' for a token no market lists).
CREATE OR REPLACE VIEW vw_candles {{on_cluster}} AS
SELECT
    c.token_id AS token_id,
    c.span AS span,
    dictGetOrDefault('token_markets', 'condition_id', tuple(c.token_id), '') AS condition_id,
    dictGetOrDefault('token_markets', 'outcome', tuple(c.token_id), '') AS outcome,
    c.bucket AS bucket,
    c.open AS open,
    c.high AS high,
    c.low AS low,
    c.close AS close,
    c.volume AS volume,
    c.trades AS trades,
    CAST(toDecimal128(c.volume, 18) / c.shares AS Decimal(38, 18)) AS vwap,
    c.first_block AS first_block,
    c.last_block AS last_block
FROM
(
    SELECT
        token_id,
        span,
        multiIf(span = '1m', toStartOfMinute(block_time), span = '1h', toStartOfHour(block_time), toStartOfDay(block_time)) AS bucket,
        argMin(open, (block_number, first_log)) AS open,
        max(high) AS high,
        min(low) AS low,
        argMax(close, (block_number, last_log)) AS close,
        sum(volume) AS volume,
        sum(shares) AS shares,
        toUInt64(sum(trades)) AS trades,
        min(block_number) AS first_block,
        max(block_number) AS last_block
    FROM chain_candle_blocks FINAL
    ARRAY JOIN ['1m', '1h', '1d'] AS span
    GROUP BY token_id, span, bucket
) AS c
