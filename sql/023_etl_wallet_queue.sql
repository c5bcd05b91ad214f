-- etl_wallet_queue: the wallets step's order of work for one run — the wallets never fetched, each
-- with the key it is fetched by (−chain activity, −newest block, or 0 for address order) — built by
-- one query when the step starts and then read a batch at a time in (key, wallet) order. Why a
-- table: scoring a wallet reads every fill and transfer leg, and doing that for every batch of
-- 5,000 wallets would read the whole chain again per batch. Rows of a run are deleted when its step
-- ends; a run that was killed leaves its rows to the TTL.
CREATE TABLE IF NOT EXISTS etl_wallet_queue {{on_cluster}}
(
    run_id           String,
    key              Int64,
    wallet           String,
    source           LowCardinality(String),
    first_seen_block UInt64,
    queued_at        DateTime('UTC') DEFAULT now()
)
ENGINE = {{engine:MergeTree}}
ORDER BY (run_id, key, wallet)
TTL queued_at + INTERVAL 7 DAY
