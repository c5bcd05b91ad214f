-- chain_transfers: every ERC-1155 TransferSingle and TransferBatch of ConditionalTokens, the contract
-- that holds every outcome token: one row per token id moved (a batch of n ids is n rows, in the
-- order of its arrays). Mints (splits) come from the zero address, burns (merges, redemptions) go to
-- it; fills move tokens between wallets and the exchanges. Key: (block_number, log_index,
-- batch_index), unique on chain; a re-fetched range replaces rather than doubles. Amounts are the
-- on-chain integers (6 decimals); the balances view converts them to exact decimals.
CREATE TABLE IF NOT EXISTS chain_transfers {{on_cluster}}
(
    block_number UInt64,
    log_index    UInt32,
    batch_index  UInt16 COMMENT 'position in a TransferBatch''s arrays; 0 for TransferSingle',
    tx_hash      String,
    block_hash   String,
    block_time   DateTime('UTC'),
    event        Enum8('TransferSingle' = 0, 'TransferBatch' = 1),
    operator     String,
    from_address String COMMENT 'zero address for mints',
    to_address   String COMMENT 'zero address for burns',
    token_id     UInt256,
    amount       UInt256,
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY (block_number, log_index, batch_index)
SETTINGS {{dedup_window}};

-- chain_transfer_blocks: hash and time of the blocks the transfers step processed (chain_blocks'
-- shape and role, for this stream alone: a stream re-reading a block after a reorg must not make
-- the other believe its old rows still agree with the chain).
CREATE TABLE IF NOT EXISTS chain_transfer_blocks {{on_cluster}}
(
    block_number UInt64,
    block_hash   String,
    parent_hash  String,
    block_time   DateTime('UTC'),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY block_number
SETTINGS {{dedup_window}};

-- chain_transfers_by_wallet: each transfer twice, once per side: the sender's leg (direction -1) and
-- the receiver's (+1), sorted by (wallet, token_id). A wallet's balance of a token is the sum of its
-- legs, one primary-key range; all balances are one pass in key order. Why legs rather than an
-- aggregating table of running sums: a sum cannot forget the rows of blocks a reorg abandons, nor a
-- duplicate that FINAL would hide; legs are deleted by block_number like every chain row
-- (bench/transfers.ts measures both reads). Rows are deleted from both tables when a reorg abandons
-- blocks.
CREATE TABLE IF NOT EXISTS chain_transfers_by_wallet {{on_cluster}}
(
    wallet       String,
    token_id     UInt256,
    direction    Int8 COMMENT '+1 received, -1 sent',
    block_number UInt64,
    log_index    UInt32,
    batch_index  UInt16,
    counterparty String,
    amount       UInt256,
    block_time   DateTime('UTC'),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY (wallet, token_id, block_number, log_index, batch_index, direction)
SETTINGS {{dedup_window}};

-- Every insert into chain_transfers lands here as two legs. An insert ClickHouse drops as a
-- duplicate of its deduplication token never reaches the view.
CREATE MATERIALIZED VIEW IF NOT EXISTS chain_transfers_by_wallet_mv {{on_cluster}} TO chain_transfers_by_wallet AS
SELECT
    leg.1 AS wallet,
    token_id,
    leg.2 AS direction,
    block_number,
    log_index,
    batch_index,
    leg.3 AS counterparty,
    amount,
    block_time,
    _run_id,
    _ingested_at
FROM chain_transfers
ARRAY JOIN [(from_address, toInt8(-1), to_address), (to_address, toInt8(1), from_address)] AS leg;

-- Transfers loaded before this migration (none on a new warehouse).
INSERT INTO chain_transfers_by_wallet
SELECT
    leg.1 AS wallet,
    token_id,
    leg.2 AS direction,
    block_number,
    log_index,
    batch_index,
    leg.3 AS counterparty,
    amount,
    block_time,
    _run_id,
    _ingested_at
FROM chain_transfers
ARRAY JOIN [(from_address, toInt8(-1), to_address), (to_address, toInt8(1), from_address)] AS leg
