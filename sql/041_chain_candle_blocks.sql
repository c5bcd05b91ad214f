-- chain_candle_blocks: the matches of each outcome token, aggregated per block at insert — the
-- stuff candles are made of. One row per (token_id, block_number) with at least one taker leg (a
-- fill whose taker is an exchange: one per match, so each match counts once): its first and last
-- price (open, close by log index), high, low, USDC volume, shares and trades. vw_candles_1m/1h/1d
-- roll these rows up by time; nothing there scans chain_fills.
-- Why one row per block rather than per minute: a reorg deletes chain rows by block_number, and a
-- block's row goes with it exactly; a sum per minute could not forget the blocks a reorg abandons.
-- A block's fills arrive in one insert (the chain step inserts whole block ranges), so its row is
-- whole, and a range fetched again yields the same row: ReplacingMergeTree keeps one (read FINAL).
-- Prices are collateral ÷ shares truncated at 18 places, as vw_trades_canonical prices a fill.
CREATE TABLE IF NOT EXISTS chain_candle_blocks {{on_cluster}}
(
    token_id     UInt256,
    block_number UInt64,
    block_time   DateTime('UTC'),
    first_log    UInt32,
    last_log     UInt32,
    open         Decimal(38, 18),
    high         Decimal(38, 18),
    low          Decimal(38, 18),
    close        Decimal(38, 18),
    volume       Decimal(38, 6) COMMENT 'USDC of the taker legs',
    shares       Decimal(38, 6),
    trades       UInt32 COMMENT 'taker legs (matches)',
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY (token_id, block_number)
SETTINGS {{dedup_window}};

-- Fed by every insert into chain_fills (an insert dropped as a duplicate never reaches it).
CREATE MATERIALIZED VIEW IF NOT EXISTS chain_candle_blocks_mv {{on_cluster}} TO chain_candle_blocks AS
SELECT
    token_id,
    block_number,
    any(block_time) AS block_time,
    min(log_index) AS first_log,
    max(log_index) AS last_log,
    argMin(price, log_index) AS open,
    max(price) AS high,
    min(price) AS low,
    argMax(price, log_index) AS close,
    CAST(sum(collateral) AS Decimal(38, 6)) AS volume,
    CAST(sum(shares) AS Decimal(38, 6)) AS shares,
    toUInt32(count()) AS trades,
    max(_ingested_at) AS _ingested_at
FROM
(
    SELECT
        token_id,
        block_number,
        block_time,
        log_index,
        _ingested_at,
        toDecimal128(if(side = 'BUY', taker_amount_filled, maker_amount_filled), 6) / 1000000 AS shares,
        toDecimal128(if(side = 'BUY', maker_amount_filled, taker_amount_filled), 6) / 1000000 AS collateral,
        toDecimal128(if(side = 'BUY', maker_amount_filled, taker_amount_filled), 18)
            / toDecimal128(if(side = 'BUY', taker_amount_filled, maker_amount_filled), 0) AS price
    FROM chain_fills
    WHERE taker IN (
        '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
        '0xc5d563a36ae78145c45a50134d48a1215220f80a',
        '0xe111180000d2663c0091e4f400237545b87b996b',
        '0xe2222d279d744050d28e00520010520000310f59'
    )
      AND if(side = 'BUY', taker_amount_filled, maker_amount_filled) > 0
)
GROUP BY token_id, block_number;

-- Fills loaded before this migration (none on a new warehouse).
INSERT INTO chain_candle_blocks
SELECT
    token_id,
    block_number,
    any(block_time) AS block_time,
    min(log_index) AS first_log,
    max(log_index) AS last_log,
    argMin(price, log_index) AS open,
    max(price) AS high,
    min(price) AS low,
    argMax(price, log_index) AS close,
    CAST(sum(collateral) AS Decimal(38, 6)) AS volume,
    CAST(sum(shares) AS Decimal(38, 6)) AS shares,
    toUInt32(count()) AS trades,
    max(_ingested_at) AS _ingested_at
FROM
(
    SELECT
        token_id,
        block_number,
        block_time,
        log_index,
        _ingested_at,
        toDecimal128(if(side = 'BUY', taker_amount_filled, maker_amount_filled), 6) / 1000000 AS shares,
        toDecimal128(if(side = 'BUY', maker_amount_filled, taker_amount_filled), 6) / 1000000 AS collateral,
        toDecimal128(if(side = 'BUY', maker_amount_filled, taker_amount_filled), 18)
            / toDecimal128(if(side = 'BUY', taker_amount_filled, maker_amount_filled), 0) AS price
    FROM chain_fills FINAL
    WHERE taker IN (
        '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
        '0xc5d563a36ae78145c45a50134d48a1215220f80a',
        '0xe111180000d2663c0091e4f400237545b87b996b',
        '0xe2222d279d744050d28e00520010520000310f59'
    )
      AND if(side = 'BUY', taker_amount_filled, maker_amount_filled) > 0
)
GROUP BY token_id, block_number
