-- etl_checkpoints: the progress of every stream, recorded only after ClickHouse acknowledged the
-- unit's rows. Key: (stream, unit). A keyset partition keeps its last committed cursor (kind
-- 'cursor', unit = the partition); a block stream keeps one row per completed range (kind 'range',
-- unit = 'from-to'), so ranges finish in any order, in any process, without read-modify-write.
CREATE TABLE IF NOT EXISTS etl_checkpoints {{on_cluster}}
(
    stream       LowCardinality(String) COMMENT 'markets, events, chain_fills, ...',
    unit         String,
    kind         Enum8('cursor' = 1, 'range' = 2, 'done' = 3),
    cursor       String COMMENT 'kind cursor: the after_cursor to continue from',
    from_block   UInt64 COMMENT 'kind range: first block, inclusive',
    to_block     UInt64 COMMENT 'kind range: last block, inclusive',
    block_hash   String COMMENT 'kind range: hash of to_block when it was read (reorg check)',
    rows         UInt64 COMMENT 'rows the unit wrote',
    _run_id      String,
    updated_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(updated_at)}}
ORDER BY (stream, unit)
SETTINGS {{dedup_window}}
