-- wallet_owners: who is behind each contract wallet Polymarket users trade through — the proxy
-- wallet (email / Magic users) or Gnosis Safe (browser-wallet users) → the EOA that controls it, the
-- kind, and the block it was created in. Loaded by the owners step from the factories' logs
-- (extract/chain/contracts.ts): a Safe's ProxyCreation, or for a proxy wallet every call relayed to
-- the proxy wallet factory (the first one creates the wallet). Key: wallet; of its rows the earliest
-- (block_number, log_index) wins — creation_rank is larger for earlier logs — so created_block is
-- the creation. A wallet with no row here has no known owner: the views take it as its own owner.
CREATE TABLE IF NOT EXISTS wallet_owners {{on_cluster}}
(
    wallet        String COMMENT 'the proxy wallet or Safe, lower-case',
    owner         String COMMENT 'the EOA that controls it, lower-case',
    kind          Enum8('proxy' = 1, 'safe' = 2),
    factory       String COMMENT 'the contract that created it',
    block_number  UInt64 COMMENT 'block of the log this row was read from',
    log_index     UInt32,
    tx_hash       String,
    block_hash    String,
    block_time    DateTime('UTC'),
    created_block UInt64 ALIAS block_number,
    creation_rank UInt64 MATERIALIZED 18446744073709551615 - (block_number * 16777216 + log_index),
    _run_id       String,
    _ingested_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(creation_rank)}}
ORDER BY wallet
SETTINGS {{dedup_window}};

-- wallet_owner_blocks: hash and time of the blocks the owners step processed (chain_blocks' shape
-- and role, for this stream alone).
CREATE TABLE IF NOT EXISTS wallet_owner_blocks {{on_cluster}}
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
