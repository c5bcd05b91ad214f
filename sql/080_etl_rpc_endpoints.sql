-- etl_rpc_endpoints: how each JSON-RPC endpoint fared in a run of a chain stream (chain_fills,
-- chain_transfers) — its state, its head, the ranges, blocks and logs it fetched, its failed
-- requests and ranges, and the range size it learned — for `status`. Written as the stream runs;
-- the latest row per (run, stream, endpoint) wins. The endpoint is its URL's scheme and host only
-- (core/redact.ts): provider keys sit in the rest.
CREATE TABLE IF NOT EXISTS etl_rpc_endpoints {{on_cluster}}
(
    run_id          String,
    stream          LowCardinality(String),
    endpoint        String COMMENT 'scheme and host only',
    state           LowCardinality(String) COMMENT 'ok, benched (failing, set aside a while) or down (left the run)',
    head            UInt64 COMMENT 'the highest block it admitted to',
    ranges          UInt64,
    blocks          UInt64,
    logs            UInt64,
    requests        UInt64 COMMENT 'HTTP attempts, retries included',
    failed_requests UInt64,
    rate_limited    UInt64,
    failed_ranges   UInt64 COMMENT 'ranges that failed here after their retries',
    handed_off      UInt64 COMMENT 'of which another endpoint took over',
    too_large       UInt64 COMMENT 'ranges refused as too large (span or results)',
    range_blocks    UInt32 COMMENT 'the range size it was at last',
    range_cap       UInt32 COMMENT 'the span cap learned from its errors',
    busy_ms         UInt64,
    elapsed_ms      UInt64 COMMENT 'how long the stream had run when the row was written',
    last_error      String,
    updated_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(updated_at)}}
ORDER BY (run_id, stream, endpoint)
