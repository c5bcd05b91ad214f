-- etl_runs: one row per polyhouse command that changes data (backfill, sync, repair, ...), updated
-- as it goes; the latest row per run wins. Key: run_id. Arguments are stored with secrets redacted.
CREATE TABLE IF NOT EXISTS etl_runs {{on_cluster}}
(
    run_id      String,
    command     LowCardinality(String),
    arguments   String,
    host        String,
    pid         UInt32,
    status      Enum8('running' = 1, 'succeeded' = 2, 'failed' = 3, 'interrupted' = 4),
    started_at  DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    counts      Map(String, UInt64) COMMENT 'rows, requests, errors, ... by name',
    error       String,
    updated_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(updated_at)}}
ORDER BY run_id
