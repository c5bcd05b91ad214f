-- would create the ledger
CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER 'analytics'
(
    kind               Enum8('migration' = 1, 'view' = 2),
    version            UInt32,
    name               String,
    checksum           String,
    statements_total   UInt16,
    statements_applied UInt16,
    statement_hashes   Array(String),
    status             Enum8('applied' = 1, 'failed' = 2, 'running' = 3),
    error              String,
    applied_at         DateTime64(3, 'UTC'),
    duration_ms        UInt32
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/schema_migrations', '{replica}', applied_at)
ORDER BY (kind, name)
COMMENT 'polyhouse migration ledger: one row per sql/ file and views/ file, latest attempt wins';

-- would apply sql/001_markets.sql (1 statement)
-- markets: every Gamma market, one row per fetch. Key: market_id (the Gamma id), the one id every
-- market has (condition_id is "" until a market is deployed on chain). ReplacingMergeTree on
-- _ingested_at keeps the latest fetch; vw_markets reads it FINAL.
-- outcomes, outcome_prices and clob_token_ids arrive as JSON strings inside JSON and are decoded
-- once, by the extractor's schema, into real arrays here (never re-encoded). raw keeps the whole
-- payload so a view can gain a column without re-fetching.
CREATE TABLE IF NOT EXISTS markets ON CLUSTER 'analytics'
(
    market_id         UInt64,
    condition_id      String,
    question_id       String,
    slug              String,
    question          String,
    description       String CODEC(ZSTD(3)),
    outcomes          Array(String),
    outcome_prices    Array(Decimal(38, 18)),
    clob_token_ids    Array(UInt256),
    event_id          UInt64 COMMENT '0 for a standalone market',
    event_slug        String,
    event_title       String,
    tags              Array(String) COMMENT 'tag slugs',
    active            Bool,
    closed            Bool,
    archived          Bool,
    neg_risk          Bool,
    enable_order_book Bool,
    start_date        Nullable(DateTime64(3, 'UTC')),
    end_date          Nullable(DateTime64(3, 'UTC')),
    closed_time       Nullable(DateTime64(3, 'UTC')),
    created_at        Nullable(DateTime64(3, 'UTC')),
    updated_at        Nullable(DateTime64(3, 'UTC')),
    volume            Decimal(18, 6) COMMENT 'USDC',
    liquidity         Decimal(18, 6) COMMENT 'USDC',
    raw               String CODEC(ZSTD(3)),
    _run_id           String,
    _ingested_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/markets', '{replica}', _ingested_at)
ORDER BY market_id
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/002_events.sql (1 statement)
-- events: every Gamma event (a group of markets; negRisk events hold mutually exclusive ones).
-- Key: event_id (the Gamma id). The latest fetch wins (ReplacingMergeTree on _ingested_at).
-- Markets carry their event's id and title; this table is where a missing title is completed from.
CREATE TABLE IF NOT EXISTS events ON CLUSTER 'analytics'
(
    event_id           UInt64,
    slug               String,
    ticker             String,
    title              String,
    description        String CODEC(ZSTD(3)),
    market_ids         Array(UInt64),
    tags               Array(String) COMMENT 'tag slugs',
    active             Bool,
    closed             Bool,
    archived           Bool,
    neg_risk           Bool,
    neg_risk_market_id String,
    start_date         Nullable(DateTime64(3, 'UTC')),
    end_date           Nullable(DateTime64(3, 'UTC')),
    closed_time        Nullable(DateTime64(3, 'UTC')),
    created_at         Nullable(DateTime64(3, 'UTC')),
    updated_at         Nullable(DateTime64(3, 'UTC')),
    volume             Decimal(18, 6) COMMENT 'USDC',
    liquidity          Decimal(18, 6) COMMENT 'USDC',
    raw                String CODEC(ZSTD(3)),
    _run_id            String,
    _ingested_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/events', '{replica}', _ingested_at)
ORDER BY event_id
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/003_market_tokens.sql (1 statement)
-- market_tokens: one row per outcome token (each clobTokenIds entry of a market), so an on-chain
-- token id finds its market, condition and outcome. Key: token_id, unique across Polymarket.
-- Undeployed markets (conditionId "", no clobTokenIds) have no rows here.
CREATE TABLE IF NOT EXISTS market_tokens ON CLUSTER 'analytics'
(
    token_id      UInt256,
    condition_id  String,
    market_id     UInt64,
    outcome_index UInt8,
    outcome       String,
    _run_id       String,
    _ingested_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/market_tokens', '{replica}', _ingested_at)
ORDER BY token_id
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/004_tags.sql (1 statement)
-- tags: Gamma tags (from /tags and the tags embedded in markets and events). Key: tag_id.
CREATE TABLE IF NOT EXISTS tags ON CLUSTER 'analytics'
(
    tag_id       UInt64,
    slug         String,
    label        String,
    raw          String CODEC(ZSTD(3)),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/tags', '{replica}', _ingested_at)
ORDER BY tag_id
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/005_positions.sql (1 statement)
-- positions: Data API positions, one snapshot per wallet fetch (all pages of /positions at one
-- snapshot_at). Key: (wallet, token_id); the newest snapshot of a token wins. A position that is
-- absent from a wallet's newest complete snapshot keeps an older snapshot_at, and the views drop it
-- by comparing with wallets.positions_snapshot_at. Shares and USDC are exact decimals.
CREATE TABLE IF NOT EXISTS positions ON CLUSTER 'analytics'
(
    wallet          String COMMENT 'proxyWallet, lower-case',
    token_id        UInt256 COMMENT 'asset',
    condition_id    String,
    outcome         String,
    outcome_index   UInt8,
    size            Decimal(18, 6) COMMENT 'shares',
    avg_price       Decimal(38, 18),
    initial_value   Decimal(18, 6),
    current_value   Decimal(18, 6),
    cash_pnl        Decimal(18, 6),
    realized_pnl    Decimal(18, 6),
    percent_pnl     Decimal(38, 18),
    cur_price       Decimal(38, 18),
    redeemable      Bool,
    mergeable       Bool,
    negative_risk   Bool,
    title           String,
    slug            String,
    event_id        UInt64,
    end_date        Nullable(Date),
    snapshot_at     DateTime64(3, 'UTC'),
    raw             String CODEC(ZSTD(3)),
    _run_id         String,
    _ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/positions', '{replica}', snapshot_at)
ORDER BY (wallet, token_id)
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/006_wallets.sql (1 statement)
-- wallets: every wallet seen on chain (or listed by the operator), with when its positions were
-- last fetched completely. This is the wallet checkpoint: "not yet fetched" is an anti-join on it.
-- Key: wallet. A fetch row (positions_snapshot_at set) outranks a discovery row (epoch 0) through
-- the ReplacingMergeTree version, whatever order they were inserted in.
CREATE TABLE IF NOT EXISTS wallets ON CLUSTER 'analytics'
(
    wallet                String COMMENT 'lower-case 0x address',
    source                LowCardinality(String) COMMENT 'chain | file | on-demand',
    first_seen_block      UInt64,
    positions_snapshot_at DateTime64(3, 'UTC') DEFAULT 0 COMMENT 'epoch 0: never fetched',
    positions_count       UInt32,
    _run_id               String,
    _ingested_at          DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/wallets', '{replica}', positions_snapshot_at)
ORDER BY wallet
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/007_chain_fills.sql (1 statement)
-- chain_fills: raw OrderFilled logs of the four exchanges (CTF Exchange and NegRisk, V1 and V2).
-- Key: (block_number, log_index), unique on chain; a re-fetched range replaces rather than doubles.
-- Amounts are the on-chain integers (6 decimals, UInt256 as in the ABI); views convert them to
-- Decimal(18,6). V1 logs carry maker/taker asset ids (0 = collateral); V2 logs carry side and
-- token_id; token_id and side are filled for both so views need not branch.
CREATE TABLE IF NOT EXISTS chain_fills ON CLUSTER 'analytics'
(
    block_number        UInt64,
    log_index           UInt32,
    tx_hash             String,
    block_hash          String,
    block_time          DateTime('UTC'),
    exchange            LowCardinality(String) COMMENT 'contract address, lower-case',
    exchange_version    UInt8,
    order_hash          String,
    maker               String,
    taker               String,
    side                Enum8('BUY' = 0, 'SELL' = 1) COMMENT 'of the maker: BUY when the maker pays collateral',
    token_id            UInt256,
    maker_asset_id      UInt256 COMMENT 'V1 only',
    taker_asset_id      UInt256 COMMENT 'V1 only',
    maker_amount_filled UInt256,
    taker_amount_filled UInt256,
    fee                 UInt256,
    builder             String COMMENT 'V2 only',
    metadata            String COMMENT 'V2 only',
    _run_id             String,
    _ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_fills', '{replica}', _ingested_at)
ORDER BY (block_number, log_index)
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/008_chain_blocks.sql (1 statement)
-- chain_blocks: hash and time of the blocks the chain steps processed, to stamp rows with a time
-- and to detect reorgs (a stored hash the chain no longer has). Key: block_number.
CREATE TABLE IF NOT EXISTS chain_blocks ON CLUSTER 'analytics'
(
    block_number UInt64,
    block_hash   String,
    parent_hash  String,
    block_time   DateTime('UTC'),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_blocks', '{replica}', _ingested_at)
ORDER BY block_number
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/009_etl_checkpoints.sql (1 statement)
-- etl_checkpoints: the progress of every stream, recorded only after ClickHouse acknowledged the
-- unit's rows. Key: (stream, unit). A keyset partition keeps its last committed cursor (kind
-- 'cursor', unit = the partition); a block stream keeps one row per completed range (kind 'range',
-- unit = 'from-to'), so ranges finish in any order, in any process, without read-modify-write.
CREATE TABLE IF NOT EXISTS etl_checkpoints ON CLUSTER 'analytics'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/etl_checkpoints', '{replica}', updated_at)
ORDER BY (stream, unit)
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/010_etl_runs.sql (1 statement)
-- etl_runs: one row per polyhouse command that changes data (backfill, sync, repair, ...), updated
-- as it goes; the latest row per run wins. Key: run_id. Arguments are stored with secrets redacted.
CREATE TABLE IF NOT EXISTS etl_runs ON CLUSTER 'analytics'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/etl_runs', '{replica}', updated_at)
ORDER BY run_id;

-- would apply sql/011_etl_jobs.sql (1 statement)
-- etl_jobs: long units of work (a keyset partition, a block range, a batch of wallets) with their
-- state, so an operator sees what is pending, running, finished or failed. Key: job_id; the latest
-- state wins.
CREATE TABLE IF NOT EXISTS etl_jobs ON CLUSTER 'analytics'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/etl_jobs', '{replica}', updated_at)
ORDER BY job_id;

-- would apply sql/012_etl_errors.sql (1 statement)
-- etl_errors: every unit that failed after its retries (the error log). A log, not a state: the
-- unit stays not-done in etl_checkpoints, so the next run retries it; status counts errors per run.
CREATE TABLE IF NOT EXISTS etl_errors ON CLUSTER 'analytics'
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
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/etl_errors', '{replica}')
ORDER BY (stream, occurred_at);

-- would apply sql/013_etl_quarantine.sql (1 statement)
-- etl_quarantine: records that failed validation, with their raw JSON and the reason, so the run
-- goes on and nothing is silently dropped. Key: (stream, record_key): a record re-fetched on a
-- retry is quarantined once.
CREATE TABLE IF NOT EXISTS etl_quarantine ON CLUSTER 'analytics'
(
    stream         LowCardinality(String),
    record_key     String COMMENT 'the record id when it has one, else a hash of raw',
    reason         String,
    raw            String CODEC(ZSTD(3)),
    run_id         String,
    quarantined_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/etl_quarantine', '{replica}', quarantined_at)
ORDER BY (stream, record_key)
SETTINGS replicated_deduplication_window = 10000;

-- would apply view vw_markets
-- vw_markets: the latest version of each Gamma market, with its event and token ids, for analysts.
-- One row per market_id; FINAL collapses the fetches ReplacingMergeTree has not merged yet.
CREATE OR REPLACE VIEW vw_markets ON CLUSTER 'analytics' AS
SELECT
    market_id,
    condition_id,
    question_id,
    slug,
    question,
    outcomes,
    outcome_prices,
    clob_token_ids,
    event_id,
    event_slug,
    event_title,
    tags,
    active,
    closed,
    archived,
    neg_risk,
    start_date,
    end_date,
    closed_time,
    volume,
    liquidity,
    _ingested_at AS fetched_at
FROM markets FINAL
;

