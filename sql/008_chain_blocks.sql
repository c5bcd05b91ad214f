-- chain_blocks: hash and time of the blocks the chain steps processed, to stamp rows with a time
-- and to detect reorgs (a stored hash the chain no longer has). Key: block_number.
CREATE TABLE IF NOT EXISTS chain_blocks {{on_cluster}}
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
SETTINGS {{dedup_window}}
