-- chain_fills_by_wallet: every chain_fills row again, sorted by its maker (the wallet), kept in step
-- by a materialized view. Why a second table: chain_fills is ordered by (block_number, log_index),
-- the order logs arrive in and the key reorgs delete by; one wallet's trades are scattered over the
-- whole chain there, so `WHERE wallet = …` on the trade views would scan every fill (10M fills:
-- hundreds of ms). Here a wallet is one primary-key range, read FINAL in a few granules
-- (bench/chain-wallet-query.ts). A projection would be lighter, but the views read FINAL to hide
-- not-yet-merged duplicates and ClickHouse does not use projections under FINAL, and
-- ReplacingMergeTree tables need deduplicate_merge_projection_mode to accept one at all.
-- Same columns and engine as chain_fills; rows are deleted from both when a reorg abandons blocks.
CREATE TABLE IF NOT EXISTS chain_fills_by_wallet {{on_cluster}}
(
    maker               String,
    block_number        UInt64,
    log_index           UInt32,
    tx_hash             String,
    block_hash          String,
    block_time          DateTime('UTC'),
    exchange            LowCardinality(String),
    exchange_version    UInt8,
    order_hash          String,
    taker               String,
    side                Enum8('BUY' = 0, 'SELL' = 1),
    token_id            UInt256,
    maker_asset_id      UInt256,
    taker_asset_id      UInt256,
    maker_amount_filled UInt256,
    taker_amount_filled UInt256,
    fee                 UInt256,
    builder             String,
    metadata            String,
    _run_id             String,
    _ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY (maker, block_number, log_index)
SETTINGS {{dedup_window}};

-- Every insert into chain_fills (the chain step's, or any INSERT … SELECT) lands here too. An insert
-- ClickHouse drops as a duplicate of its deduplication token never reaches the view.
CREATE MATERIALIZED VIEW IF NOT EXISTS chain_fills_by_wallet_mv {{on_cluster}} TO chain_fills_by_wallet AS
SELECT
    maker,
    block_number,
    log_index,
    tx_hash,
    block_hash,
    block_time,
    exchange,
    exchange_version,
    order_hash,
    taker,
    side,
    token_id,
    maker_asset_id,
    taker_asset_id,
    maker_amount_filled,
    taker_amount_filled,
    fee,
    builder,
    metadata,
    _run_id,
    _ingested_at
FROM chain_fills;

-- Fills loaded before this migration (none on a new warehouse).
INSERT INTO chain_fills_by_wallet
SELECT
    maker,
    block_number,
    log_index,
    tx_hash,
    block_hash,
    block_time,
    exchange,
    exchange_version,
    order_hash,
    taker,
    side,
    token_id,
    maker_asset_id,
    taker_asset_id,
    maker_amount_filled,
    taker_amount_filled,
    fee,
    builder,
    metadata,
    _run_id,
    _ingested_at
FROM chain_fills
