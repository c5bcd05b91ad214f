-- wallets: every wallet seen on chain (or listed by the operator), with when its positions were
-- last fetched completely. This is the wallet checkpoint: "not yet fetched" is an anti-join on it.
-- Key: wallet. A fetch row (positions_snapshot_at set) outranks a discovery row (epoch 0) through
-- the ReplacingMergeTree version, whatever order they were inserted in.
CREATE TABLE IF NOT EXISTS wallets {{on_cluster}}
(
    wallet                String COMMENT 'lower-case 0x address',
    source                LowCardinality(String) COMMENT 'chain | file | on-demand',
    first_seen_block      UInt64,
    positions_snapshot_at DateTime64(3, 'UTC') DEFAULT 0 COMMENT 'epoch 0: never fetched',
    positions_count       UInt32,
    _run_id               String,
    _ingested_at          DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(positions_snapshot_at)}}
ORDER BY wallet
SETTINGS {{dedup_window}}
