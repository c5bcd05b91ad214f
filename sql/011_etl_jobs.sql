-- etl_jobs: long units of work (a keyset partition, a block range, a batch of wallets) with their
-- state, so an operator sees what is pending, running, finished or failed. Key: job_id; the latest
-- state wins.
CREATE TABLE IF NOT EXISTS etl_jobs {{on_cluster}}
(
    job_id       String,
    run_id       String,
    kind         LowCardinality(String) COMMENT 'markets, events, chain_fills, positions, ...',
    target       String COMMENT 'the partition, wallet list or stream the job covers',
    range_from   UInt64,
    range_to     UInt64,
    status       Enum8('pending' = 1, 'in_progress' = 2, 'completed' = 3, 'failed' = 4),
    progress     Float32 COMMENT 'fraction done, 0 to 1',
    rows_written UInt64,
    error        String,
    started_at   Nullable(DateTime64(3, 'UTC')),
    updated_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(updated_at)}}
ORDER BY job_id
