-- etl_errors: every unit that failed after its retries (the error log). A log, not a state: the
-- unit stays not-done in etl_checkpoints, so the next run retries it; status counts errors per run.
CREATE TABLE IF NOT EXISTS etl_errors {{on_cluster}}
(
    occurred_at DateTime64(3, 'UTC') DEFAULT now64(3),
    run_id      String,
    stream      LowCardinality(String),
    unit        String COMMENT 'the page, range or wallet that failed',
    error_kind  LowCardinality(String) COMMENT 'the error class: RateLimited, Timeout, HttpStatus, ...',
    message     String,
    attempts    UInt16,
    url         String COMMENT 'without credentials'
)
ENGINE = {{engine:MergeTree}}
ORDER BY (stream, occurred_at)
