-- chain_fills: raw OrderFilled logs of the four exchanges (CTF Exchange and NegRisk, V1 and V2).
-- Key: (block_number, log_index), unique on chain; a re-fetched range replaces rather than doubles.
-- Amounts are the on-chain integers (6 decimals, UInt256 as in the ABI); views convert them to
-- Decimal(18,6). V1 logs carry maker/taker asset ids (0 = collateral); V2 logs carry side and
-- token_id; token_id and side are filled for both so views need not branch.
CREATE TABLE IF NOT EXISTS chain_fills {{on_cluster}}
(
    block_number        UInt64,
    log_index           UInt32,
    tx_hash             String,
    block_hash          String,
    block_time          DateTime('UTC'),
    exchange            LowCardinality(String) COMMENT 'contract address, lower-case',
    exchange_version    UInt8,
    order_hash          String,
    maker               String,
    taker               String,
    side                Enum8('BUY' = 0, 'SELL' = 1) COMMENT 'of the maker: BUY when the maker pays collateral',
    token_id            UInt256,
    maker_asset_id      UInt256 COMMENT 'V1 only',
    taker_asset_id      UInt256 COMMENT 'V1 only',
    maker_amount_filled UInt256,
    taker_amount_filled UInt256,
    fee                 UInt256,
    builder             String COMMENT 'V2 only',
    metadata            String COMMENT 'V2 only',
    _run_id             String,
    _ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY (block_number, log_index)
SETTINGS {{dedup_window}}
