-- vw_candles_1m: OHLC candles of every outcome token, one row per token and minute — the
-- per-block rows of chain_candle_blocks (sql/041, aggregated from the taker legs as they are
-- inserted) rolled up, so a query reads those rows, never chain_fills.
--   open / close  the price of the bucket's first / last match; high / low its extremes
--   volume        USDC of its taker legs (each match once); trades: its matches
--   vwap          volume ÷ shares, truncated at 18 places
-- Prices are collateral ÷ shares of the taker leg. `WHERE token_id = …` is one primary-key range.
-- Market columns come from the token_markets dictionary ('' for a token no market lists).
CREATE OR REPLACE VIEW vw_candles_1m {{on_cluster}} AS
SELECT
    c.token_id AS token_id,
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
        toStartOfMinute(block_time) AS bucket,
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
    GROUP BY token_id, bucket
) AS c
