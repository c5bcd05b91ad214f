-- etl_quarantine: records that failed validation, with their raw JSON and the reason, so the run
-- goes on and nothing is silently dropped. Key: (stream, record_key): a record re-fetched on a
-- retry is quarantined once.
CREATE TABLE IF NOT EXISTS etl_quarantine {{on_cluster}}
(
    stream         LowCardinality(String),
    record_key     String COMMENT 'the record id when it has one, else a hash of raw',
    reason         String,
    raw            String CODEC(ZSTD(3)),
    run_id         String,
    quarantined_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(quarantined_at)}}
ORDER BY (stream, record_key)
SETTINGS {{dedup_window}}
